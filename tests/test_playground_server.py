"""The playground without a browser: the resumable Trainer, TensorFlow Playground's training rules, the
session, the message schemas and the WebSocket server.

References: ``fit`` for the Trainer (bit for bit on the torch and fast engines); for classic mode, a scalar
float64 transcription of the Playground's ``nn.ts`` (forward, backProp, updateWeights, oneStep) below.
"""
import copy
import json
import math
import socket
import threading
import time

import numpy as np
import pytest

from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, RunConfig, TrainConfig
from nnlab.data import make_dataset, to_class_indices
from nnlab.playground.features import split_fraction
from nnlab.playground.protocol import LIMITS, ProtocolError, Settings, parse_message
from nnlab.playground.session import Session
from nnlab.training.engines.fast_model import FastMLP
from nnlab.training.trainer import Trainer

_ACT = {"tanh": (math.tanh, lambda z, a: 1 - a * a), "relu": (lambda z: max(0.0, z), lambda z, a: float(z > 0)),
        "linear": (lambda z: z, lambda z, a: 1.0)}


def tf_one_step(W, B, acts, X, t, epochs, batch, lr, rate=0.0, kind=0, tanh_out=True, state=None):
    """nn.ts in float64: per-sample backprop, update every `batch` samples with the mean accumulated gradient,
    a trailing partial batch carried over, then w -= lr rate R'(w) with the L1 zero rule (kind 1 = L1, 2 = L2)."""
    L = len(W)
    st = state or {"accW": [np.zeros_like(w) for w in W], "accB": [np.zeros_like(b) for b in B], "n": 0,
                   "dead": [np.zeros(w.shape, bool) for w in W]}
    names = [*acts, "tanh" if tanh_out else "linear"]
    for _ in range(epochs):
        for i in range(len(t)):
            a, zs = [np.asarray(X[i], float)], []
            for l in range(L):
                z = W[l] @ a[-1] + B[l]
                zs.append(z)
                a.append(np.array([_ACT[names[l]][0](v) for v in z]))
            d = np.array([a[-1][0] - t[i]])                               # dE/dout of 0.5 (out - t)^2
            for l in range(L - 1, -1, -1):
                dz = d * np.array([_ACT[names[l]][1](z, v) for z, v in zip(zs[l], a[l + 1])])
                st["accW"][l] += np.outer(dz, a[l])
                st["accB"][l] += dz
                d = W[l].T @ dz
            st["n"] += 1
            if (i + 1) % batch:
                continue
            for l in range(L):
                for j, k in np.ndindex(W[l].shape):
                    if st["dead"][l][j, k]:
                        continue
                    w = W[l][j, k]
                    der = np.sign(w) if kind == 1 else (w if kind == 2 else 0.0)
                    w -= lr / st["n"] * st["accW"][l][j, k]
                    new = w - lr * rate * der
                    if kind == 1 and w * new < 0:
                        W[l][j, k], st["dead"][l][j, k] = 0.0, True
                    else:
                        W[l][j, k] = new
                B[l] -= lr / st["n"] * st["accB"][l]
                st["accW"][l][:], st["accB"][l][:] = 0, 0
            st["n"] = 0
    return st


def _classic_net(hidden=(3, 2), act="tanh", seed=5, d=2):
    return FastMLP.from_config(ModelConfig(input_size=d, hidden_sizes=hidden, activation=act, output_size=1,
                                           init="playground"), seed=seed)


def _copy_layers(net):
    return [w.astype(float) for w, _ in net.layers()], [b.astype(float) for _, b in net.layers()]


# -- the resumable Trainer equals fit ----------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["torch", "fast"])
def test_stepping_n_then_m_epochs_equals_fit_for_n_plus_m(engine):
    import torch
    from nnlab.nn import build_mlp
    from nnlab.training import fit
    X, y = make_dataset("circle", seed=1)
    y, _ = to_class_indices(y)
    mc = ModelConfig(input_size=2, hidden_sizes=(4, 2), activation="tanh", output_size=2)
    cpu = {"device": "cpu"} if "device" in TrainConfig.__dataclass_fields__ else {}      # the Trainer runs on the CPU
    tc = TrainConfig(optimizer="adam", lr=0.03, epochs=7, batch_size=10, seed=3, engine=engine, l2=1e-3, **cpu)
    a = build_mlp(mc, seed=0)
    b = copy.deepcopy(a)
    history = fit(a, X, y, tc)
    trainer = Trainer(b, X, y, tc)
    first, second = trainer.step(3), trainer.step(4)
    assert trainer.engine == history.engine == engine
    assert first["loss"] + second["loss"] == history.loss                  # bit for bit
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_the_trainer_refuses_what_only_fit_implements():
    with pytest.raises(InvalidArgument, match="augment_jitter"):
        Trainer(_classic_net(), np.zeros((4, 2)), np.zeros(4, int), TrainConfig(augment_jitter=0.1))


def test_set_lr_changes_the_next_updates_and_keeps_the_epoch():
    X, y = make_dataset("xor", n=40, seed=0)
    nets = [_classic_net(), _classic_net()]
    cfg = TrainConfig(optimizer="sgd", loss="mse", lr=0.03, batch_size=10)
    trainers = [Trainer(n, X, y, cfg, semantics="playground") for n in nets]
    for t in trainers:
        t.step(2)
    trainers[1].set_lr(0.3)
    for t in trainers:
        t.step(2)
    assert trainers[1].state.epoch == 4 and trainers[1].state.lr == 0.3
    # reference: the same two phases
    W, B = _copy_layers(_classic_net())
    t = np.where(y > 0, 1.0, -1.0)
    st = tf_one_step(W, B, ["tanh", "tanh"], X, t, 2, 10, 0.03)
    tf_one_step(W, B, ["tanh", "tanh"], X, t, 2, 10, 0.3, state=st)
    np.testing.assert_allclose(nets[1].layers()[0][0], W[0], atol=2e-6)
    assert not np.allclose(nets[0].theta, nets[1].theta)
    with pytest.raises(InvalidArgument):
        trainers[0].set_lr(0.0)


# -- classic mode: TensorFlow Playground's rules -------------------------------------------------------------

@pytest.mark.parametrize("kind,rate,batch", [(0, 0.0, 7), (1, 0.03, 7), (2, 0.1, 4), (0, 0.0, 1)])
def test_classic_epochs_follow_nn_ts(kind, rate, batch):
    # 60 points with batch 7 leave 4 samples per epoch carried into the next epoch's first update.
    X, y = make_dataset("xor", n=60, seed=2)
    net = _classic_net()
    W, B = _copy_layers(net)
    cfg = TrainConfig(optimizer="sgd", loss="mse", lr=0.03, batch_size=batch,
                      l1=rate if kind == 1 else 0.0, l2=rate if kind == 2 else 0.0)
    trainer = Trainer(net, X, y, cfg, semantics="playground")
    trainer.step(2)
    trainer.step(3)
    st = tf_one_step(W, B, ["tanh", "tanh"], X, np.where(y > 0, 1.0, -1.0), 5, batch, 0.03, rate, kind)
    for (w, b), w_ref, b_ref in zip(net.layers(), W, B):
        np.testing.assert_allclose(w, w_ref, atol=5e-6)
        np.testing.assert_allclose(b, b_ref, atol=5e-6)
    dead_ref = np.concatenate([np.concatenate([d.ravel(), np.zeros(len(b), bool)]) for d, b in zip(st["dead"], B)])
    assert np.array_equal(trainer.dead_links.astype(bool), dead_ref)
    if kind == 1:
        assert dead_ref.any()                      # the L1 zero rule fired ...
        assert np.all(net.theta[dead_ref] == 0)    # ... and dead links stay at exactly 0


def test_classic_regression_has_a_linear_output_and_the_displayed_loss_is_half_mse():
    X, y = make_dataset("reg-plane", n=48, seed=1)
    net = _classic_net(hidden=(3,), act="relu")
    W, B = _copy_layers(net)
    trainer = Trainer(net, X, y, TrainConfig(optimizer="sgd", loss="mse", lr=0.01, batch_size=8),
                      task="regression", semantics="playground")
    trainer.step(3)
    tf_one_step(W, B, ["relu"], X, y, 3, 8, 0.01, tanh_out=False)
    np.testing.assert_allclose(net.layers()[1][0], W[1], atol=5e-6)
    out = np.maximum(X @ W[0].T + B[0], 0) @ W[1].T + B[1]
    assert trainer.evaluate(X, y)["loss"] == pytest.approx(np.mean(0.5 * (out[:, 0] - y) ** 2), rel=1e-5)


def test_classic_init_is_uniform_half_and_bias_point_one():
    net = _classic_net(hidden=(8, 8, 8), seed=11)
    for w, b in net.layers():
        assert np.all(np.abs(w) <= 0.5) and np.all(b == np.float32(0.1))
    assert np.std(np.concatenate([w.ravel() for w, _ in net.layers()])) == pytest.approx(1 / math.sqrt(12), rel=0.15)


# -- the session -----------------------------------------------------------------------------------------------

def test_split_and_sizes_are_the_playgrounds():
    s = Session(Settings(seed=7))
    assert (len(s.X_train), len(s.X_test)) == (250, 250)
    s.configure(Settings(dataset="reg-gauss", percTrainData=10, seed=7))
    assert (len(s.X_train), len(s.X_test), s.task) == (120, 1080, "regression")
    for n in (500, 1200):
        for p in range(10, 100, 10):
            assert int(np.floor(n * (1 - split_fraction(n, p)))) == n * p // 100


def test_the_same_seed_gives_the_same_initial_loss_and_another_seed_does_not():
    loss = lambda seed: Session(Settings(seed=seed, networkShape=[8, 8])).frame()["train_loss"]
    assert loss(4242) == loss(4242)
    assert loss(4242) != loss(4243)


def test_a_playground_seed_gives_the_playgrounds_own_data_weights_reset_and_regenerate():
    # TensorFlow Playground's default page at #seed=0.14372 (circle, 2-4-2-1 tanh, 50 % train), values from
    # JavaScript in tests/data/tf_playground_stream.json.
    import json
    from pathlib import Path
    from nnlab.data.playground_stream import playground_stream
    ref = json.loads((Path(__file__).parent / "data" / "tf_playground_stream.json").read_text())["datasets"]["circle"]
    s = Session(Settings(seed=14372))
    X, y, _ = playground_stream("circle", 500, 0.0, 14372)
    assert np.array_equal(s.X_train, X[:250]) and np.array_equal(s.X_test, X[250:])
    assert s.classes[s.y_train].tolist() == y[:250].tolist()
    first = [w for w, _ in s.trainer.model.layers()]
    assert np.concatenate([w.ravel() for w in first]).tolist() == pytest.approx(ref["weights"], abs=3e-8)  # fp32
    s.reset()
    assert s.trainer.model.layers()[0][0].ravel()[:3].tolist() == pytest.approx(ref["reset_weights"], abs=3e-8)
    s.regenerate()
    assert s.settings.seed == int(ref["next_seed"][2:])
    z = Session(Settings(seed=14372, initZero=True))
    assert not z.trainer.parameters().any()


def test_reset_draws_new_weights_and_regenerate_keeps_them():
    s = Session(Settings(seed=3), rng_seed=0)
    s.train_for(0.05)
    theta = s.trainer.parameters().copy()
    s.regenerate()
    assert np.array_equal(s.trainer.parameters(), theta) and s.settings.seed != 3 and s.epoch > 0
    s.reset()
    assert s.epoch == 0 and not np.array_equal(s.trainer.parameters(), theta)


def test_learning_rate_changes_live_without_a_reset():
    s = Session(Settings(seed=1))
    s.train_for(0.05)
    epoch, theta = s.epoch, s.trainer.parameters().copy()
    s.configure(s.settings.model_copy(update={"learningRate": 0.3, "regularizationRate": 0.001}))
    assert s.epoch == epoch and np.array_equal(s.trainer.parameters(), theta)
    assert s.trainer.state.lr == 0.3


def test_a_non_finite_loss_pauses_with_a_message_and_keeps_finite_weights():
    s = Session(Settings(seed=1, learningRate=10, networkShape=[8] * 6, dataset="reg-plane", activation="relu"))
    assert s.train_for(1.0) == "diverged"
    assert "learning rate 10 is too high" in s.stop_message
    assert np.all(np.isfinite(s.trainer.parameters()))
    frame = s.frame()
    assert math.isfinite(frame["train_loss"])


def test_nnlab_mode_trains_k_classes_with_softmax_and_reports_a_confusion_matrix():
    s = Session(Settings(mode="nnlab", dataset="spirals", classes=4, networkShape=[8, 8], activation="relu",
                         seed=2))
    assert s.sizes[-1] == 4 and s.trainer.engine == "fast"
    s.train_for(0.5)
    frame = s.frame()
    confusion = np.array(frame["confusion"])
    assert confusion.shape == (4, 4) and confusion.sum() == len(s.y_test)
    assert np.trace(confusion) / confusion.sum() > 0.5 and "output_classes" in frame


def test_bad_settings_leave_the_session_as_it_was():
    s = Session(Settings(seed=1))
    before = s.settings
    with pytest.raises(InvalidArgument, match="two classes"):
        s.configure(Settings(dataset="spirals", classes=3))       # classic mode has one tanh output
    assert s.settings == before and s.trainer.step(1)["epoch"] == 1


def test_export_config_is_an_nnlab_run_config_and_imports_back():
    from nnlab.playground.export import export_config, export_python, import_settings
    s = Session(Settings(mode="nnlab", dataset="moons", noise=10, networkShape=[6, 3], optimizer="momentum",
                         learningRate=0.1, regularization="L2", regularizationRate=0.001, seed=9))
    text, notes = export_config(s)
    cfg = RunConfig.from_dict(json.loads(text))
    assert cfg.model.hidden_sizes == (6, 3) and cfg.train.optimizer == "momentum" and cfg.train.l2 == 0.001
    back = import_settings(text, Settings())
    for key in ("mode", "dataset", "noise", "networkShape", "optimizer", "learningRate", "regularization", "seed"):
        assert getattr(back, key) == getattr(s.settings, key), key
    code = export_python(s)
    compile(code, "export.py", "exec")
    with pytest.raises(InvalidArgument):
        import_settings("{not json", Settings())


# -- messages ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    "not json", "[]", '{"type": "launch"}', '{"type": "step", "epochs": 0}',
    '{"type": "config", "settings": {"networkShape": [4, 4, 4, 4, 4, 4, 4]}}',
    '{"type": "config", "settings": {"networkShape": [9]}}',
    '{"type": "config", "settings": {"batchSize": 31}}',
    '{"type": "config", "settings": {"activation": "gelu"}}',
    '{"type": "config", "settings": {"dataset": "mnist"}}',
    '{"type": "config", "settings": {"learningRate": 1e9}}',
    '{"type": "play", "extra": 1}',
    '{"type": "focus", "node": "<script>"}',
])
def test_bad_messages_are_refused_with_a_reason(bad):
    with pytest.raises(ProtocolError, match="."):
        parse_message(bad)


def test_oversized_messages_are_refused():
    with pytest.raises(ProtocolError, match="too large"):
        parse_message('{"type": "upload_csv", "text": "' + "x" * LIMITS["message_bytes"] + '"}')


# -- the server, over a real socket -----------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    import uvicorn
    from nnlab.playground.server import create_app
    app = create_app(max_sessions=2)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    yield app, f"ws://127.0.0.1:{port}/ws"
    srv.should_exit = True
    thread.join(5)


def _until(ws, kind, timeout=10):
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        if msg["type"] == kind:
            return msg


def test_the_server_answers_bad_messages_and_keeps_serving(server):
    from websockets.sync.client import connect
    _, url = server
    with connect(url) as ws:
        _until(ws, "hello")
        for bad in ("garbage", '{"type": "config", "settings": {"networkShape": [99]}}',
                    '{"type": "upload_csv", "text": "x1,x2,label\\n1,2,3\\n1,oops,1\\n"}'):
            ws.send(bad)
            assert _until(ws, "error")["message"]
        ws.send('{"type": "upload_csv", "text": "x1,x2,label\\n1,2,1\\n1,oops,1\\n"}')
        assert "line 3" in _until(ws, "error")["message"]
        ws.send(json.dumps({"type": "config", "settings": {"seed": 5}}))
        assert _until(ws, "network")["sizes"] == [2, 4, 2, 1]
        frame = _until(ws, "frame")
        assert frame["epoch"] == 0 and frame["playing"] is False
        ws.send('{"type": "step", "epochs": 3}')
        assert _until(ws, "frame")["epoch"] == 3


def test_the_server_limits_tabs_and_frees_a_session_when_its_tab_closes(server):
    from websockets.sync.client import connect
    app, url = server
    with connect(url) as a, connect(url) as b:
        _until(a, "hello"), _until(b, "hello")
        assert app.state.sessions == 2
        with connect(url) as c:
            assert "limit" in _until(c, "error")["message"]
    deadline = time.time() + 5
    while app.state.sessions and time.time() < deadline:
        time.sleep(0.05)
    assert app.state.sessions == 0


def test_the_cli_refuses_a_bad_port_with_one_line(capsys):
    from nnlab.cli import main
    assert main(["playground", "--port", "70000"]) == 2
    assert "port" in capsys.readouterr().err


def test_the_exported_python_rebuilds_and_trains_the_same_model(capsys):
    from nnlab.playground.export import export_python
    s = Session(Settings(seed=3, features=["x", "y", "xSquared"], networkShape=[3]))
    s.train_for(math.inf, 23)
    exec(compile(export_python(s), "export.py", "exec"), {"__name__": "exported"})
    printed = capsys.readouterr().out
    assert repr(s.trainer.evaluate(s.F_train, s.y_train)) in printed     # the same loss, to the last digit


@pytest.mark.parametrize("actions", [["reset"], ["reset", "regenerate", "reset"], ["add_point", "reset"],
                                     ["reset", "add_point", "reset"]])
def test_the_exported_python_redraws_the_pages_network_after_resets_and_regenerates(actions, capsys):
    from nnlab.playground.export import export_python
    s = Session(Settings(seed=14372, networkShape=[3]), rng_seed=0)
    drawn = [s.trainer.parameters().copy()]
    for action in actions:
        if action == "add_point":
            s.add_point(0.5, 0.5, 1)
        else:
            getattr(s, action)()
        drawn.append(s.trainer.parameters().copy())
    if actions[:2] == ["add_point", "reset"]:       # clicked points keep the stream: Reset draws the next network
        assert not np.array_equal(drawn[2], drawn[0])
    s.train_for(math.inf, 7)
    if not s.extra:
        exec(compile(export_python(s), "export.py", "exec"), {"__name__": "exported"})
        assert repr(s.trainer.evaluate(s.F_train, s.y_train)) in capsys.readouterr().out


def test_init_zero_moves_the_stream_on_as_the_playground_does():
    plain, zero = Session(Settings(seed=14372)), Session(Settings(seed=14372, initZero=True))
    assert not zero.trainer.parameters().any()
    plain.regenerate()
    zero.regenerate()
    assert plain.settings.seed == zero.settings.seed


def test_the_server_refuses_sockets_from_other_sites(server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    _, url = server
    with pytest.raises(InvalidStatus):
        with connect(url, origin="http://elsewhere.example"):
            pass
    host = url.split("/")[2]
    with connect(url, origin=f"http://{host}") as ws:
        assert _until(ws, "hello")
