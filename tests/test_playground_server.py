"""The playground without a browser: the resumable Trainer, TensorFlow Playground's training rules, the
session, the message schemas and the WebSocket server.

References: ``fit`` for the Trainer (bit for bit on the torch and fast engines); for classic mode, a scalar
float64 transcription of the Playground's ``nn.ts`` (forward, backProp, updateWeights, oneStep) below.
"""
import base64
import copy
import json
import math
import os
import signal
import socket
import struct
import subprocess
import sys
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
from servers import free_port, serving

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
    config = TrainConfig(augment_jitter=0.1, loss="mse", optimizer="sgd")
    with pytest.raises(InvalidArgument, match="augment_jitter"):       # TF Playground's rules have no augmentation
        Trainer(_classic_net(), np.zeros((4, 2)), np.zeros(4, int), config, semantics="playground")
    with pytest.raises(InvalidArgument, match="precision"):         # bf16 steps on torch, not on the fast engine
        Trainer(_classic_net().to_torch(), np.zeros((4, 2)), np.zeros(4, int),
                TrainConfig(precision="bf16", engine="fast"))


@pytest.mark.parametrize("engine", ["torch", "fast"])
def test_stepping_with_a_cosine_schedule_and_augmentation_equals_fit(engine):
    import torch

    from nnlab.nn import build_mlp
    from nnlab.training import fit
    X, y = make_dataset("circle", seed=2)
    y, _ = to_class_indices(y)
    mc = ModelConfig(input_size=2, hidden_sizes=(6,), activation="tanh", output_size=2)
    tc = TrainConfig(optimizer="adam", lr=0.05, epochs=6, batch_size=25, seed=1, engine=engine,
                     lr_schedule="cosine", augment_jitter=0.1)
    a = build_mlp(mc, seed=0)
    b = copy.deepcopy(a)
    history = fit(a, X, y, tc)
    trainer = Trainer(b, X, y, tc)
    steps = trainer.step(2)["loss"] + trainer.step(1)["loss"] + trainer.step(3)["loss"]
    assert trainer.engine == history.engine == engine
    assert steps == history.loss                                             # bit for bit
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


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
    for bad in ("{not json", "[" * 100_000, "9" * 5000):
        with pytest.raises(InvalidArgument):
            import_settings(bad, Settings())


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
    "5", "null", '"play"', "[" * 100_000, "1" * 5000, '{"type": "set_lr", "value": NaN}',
    '{"type": "config", "settings": {"targetLoss": Infinity}}',
])
def test_bad_messages_are_refused_with_a_reason(bad):
    with pytest.raises(ProtocolError, match="."):
        parse_message(bad)


def test_oversized_messages_are_refused():
    with pytest.raises(ProtocolError, match="too large"):
        parse_message('{"type": "upload_csv", "text": "' + "x" * LIMITS["message_bytes"] + '"}')


# -- the server, over a real socket -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    from nnlab.playground.server import create_app
    app = create_app(max_sessions=2)
    with serving(app) as port:
        yield app, f"ws://127.0.0.1:{port}/ws"


def _until(ws, kind, timeout=10):
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        if msg["type"] == kind:
            return msg


def test_the_server_answers_bad_messages_and_keepsserving(server):
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
    _idle(app)
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


# -- a classroom on one server: the tab limit, the Host rule, bad frames, vanishing clients -------------------

def _http(port, request: bytes) -> tuple[int, bytes]:
    """Send a raw HTTP request (any Host header we like); the status and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and (data.startswith(b"HTTP/1.1 101") or b"content-length" in data.lower()):
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                          if line.startswith(b"content-length:")]
                if data.startswith(b"HTTP/1.1 101") or (length and len(body) >= length[0]):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _idle(app, timeout=10):
    """Wait until the server has freed every session (a closed socket is noticed a moment later)."""
    deadline = time.time() + timeout
    while app.state.sessions and time.time() < deadline:
        time.sleep(0.05)
    assert app.state.sessions == 0


def _get(port, host, path="/"):
    return _http(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())


def _upgrade(port, host, origin=None):
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    return _http(port, (f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode())


def test_bound_to_loopback_the_server_answers_only_loopback_host_names(server):
    _, url = server
    port = int(url.split(":")[2].split("/")[0])
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost", "LOCALHOST:80",
                 f"127.0.0.2:{port}"):
        assert _get(port, host)[0] == 200, host
    assert _get(port, f"localhost:{port}", "/static/app.js")[0] == 200
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.nip.io:{port}", f"localhost.evil.example:{port}",
                 f"user@localhost:{port}", "localhost:http", "[::2]", "0.0.0.0", f"192.168.1.5:{port}", ""):
        status, body = _get(port, host, "/static/app.js")
        assert status == 403, host
        assert b"answers only requests for 127.0.0.1, localhost or [::1]" in body, host
    status, body = _get(port, "rebound.example:80")
    assert status == 403 and b"'rebound.example:80'" in body
    # the WebSocket handshake the same way: refused with the reason, before any session exists
    status, body = _upgrade(port, f"rebound.example:{port}")
    assert status == 403 and b"only requests for 127.0.0.1" in body
    assert _upgrade(port, f"localhost:{port}")[0] == 101
    status, body = _upgrade(port, f"127.0.0.1:{port}", origin="http://elsewhere.example")
    assert status == 403 and b"'http://elsewhere.example' may not use this playground" in body


def test_bound_elsewhere_the_server_answers_any_host_name():
    from nnlab.playground.server import create_app
    with serving(create_app(loopback_only=False)) as port:
        assert _get(port, "lab.school.example:8000")[0] == 200
        assert _upgrade(port, "lab.school.example:8000")[0] == 101


def test_which_addresses_are_loopback_and_the_warning_for_the_others():
    from nnlab.playground.server import exposure_warning, is_loopback
    for host in ("127.0.0.1", "127.8.9.10", "localhost", "LocalHost", "::1", "[::1]"):
        assert is_loopback(host) and exposure_warning(host, 8000) is None, host
    for host in ("0.0.0.0", "::", "192.168.1.5", "lab.school.example", "", "localhost.example"):
        assert not is_loopback(host), host
    line = exposure_warning("0.0.0.0", 8123)
    assert "\n" not in line and "anyone who can reach this machine on port 8123 can use the lab" in line


def test_the_cli_passes_max_tabs_and_warns_once_off_loopback(monkeypatch, capsys):
    from nnlab.cli import main
    from nnlab.playground import server
    calls = []
    monkeypatch.setattr(server, "serve", lambda **kw: calls.append(kw))
    port = free_port()

    def run(*args):
        try:
            return main(["playground", *args])
        except SystemExit as done:          # typer ends a command that succeeded this way
            return done.code

    assert run("--host", "0.0.0.0", "--port", str(port), "--max-tabs", "3") == 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "anyone who can reach this machine" in err
    assert calls[-1]["max_tabs"] == 3 and calls[-1]["host"] == "0.0.0.0"
    assert run("--port", str(port)) == 0
    assert capsys.readouterr().err == "" and calls[-1]["max_tabs"] == 8
    assert run("--max-tabs", "0") == 2
    assert "--max-tabs must be at least 1" in capsys.readouterr().err


def test_a_tab_over_the_limit_is_told_why_in_a_message_and_in_the_close_reason(server):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect
    app, url = server
    _idle(app)                                  # the sockets other tests closed are all freed
    with connect(url) as a, connect(url) as b:
        assert _until(a, "hello")["limits"]["sessions"] == 2
        _until(b, "hello")
        with connect(url) as c:
            said = _until(c, "error")["message"]
            assert "already has 2 open tabs, its limit" in said and "--max-tabs" in said
            with pytest.raises(ConnectionClosed):
                c.recv(timeout=5)
            assert c.protocol.close_rcvd.code == 1013 and c.protocol.close_rcvd.reason == said
        a.send('{"type": "step"}')                  # the others carry on
        assert _until(a, "frame")["epoch"] == 1


def test_binary_frames_and_json_that_is_not_a_message_get_an_error_and_the_tab_carries_on(server):
    from websockets.sync.client import connect
    _, url = server
    with connect(url, max_size=None) as ws:
        _until(ws, "hello")
        bad = [b"\x00\x01\x02", b'{"type": "play"}', "[]", "5", "null", '"play"', "true", "not json", "{" * 3000,
               "[" * 100_000, "1" * 5000, '{"type": "set_lr", "value": NaN}', '{"type": 7}', "{}",
               '{"type": "add_point", "x": Infinity, "y": 0, "label": 1}', "\u00e9\u2603"]
        for frame in bad:
            ws.send(frame)
            message = _until(ws, "error")["message"]
            assert message and "internal error" not in message, frame[:20]
        ws.send(b'{"type": "step"}')
        assert "binary frame" in _until(ws, "error")["message"]
        ws.send('{"type": "step", "epochs": 2}')
        assert _until(ws, "frame")["epoch"] == 2


def _raw_socket(port):
    """A WebSocket handshake by hand, so the test can send half a frame or vanish without a close."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    assert data.startswith(b"HTTP/1.1 101"), data[:100]
    return s


def _frame(payload: bytes, opcode: int = 1) -> bytes:
    """A masked client frame (opcode 1: text, 2: binary)."""
    mask, n = os.urandom(4), len(payload)
    size = bytes([0x80 | n]) if n < 126 else (bytes([0xFE]) + struct.pack("!H", n) if n < 65536
                                              else bytes([0xFF]) + struct.pack("!Q", n))
    body = (np.frombuffer(payload, np.uint8) ^ np.resize(np.frombuffer(mask, np.uint8), n)).tobytes()
    return bytes([0x80 | opcode]) + size + mask + body


def _vanish(s):
    """Close without a WebSocket close, with a TCP reset, as a crashed browser or a lost network does."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def test_clients_that_vanish_mid_message_leave_no_traceback_in_the_servers_log():
    port = free_port()
    srv = subprocess.Popen([sys.executable, "-m", "nnlab.cli", "playground", "--port", str(port), "--max-tabs", "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert "nnlab playground at" in srv.stdout.readline()
        s = _raw_socket(port)                       # training, frames flowing to it
        s.sendall(_frame(b'{"type": "play"}'))
        s.recv(65536)
        time.sleep(0.3)
        _vanish(s)
        s = _raw_socket(port)                       # half a 60 kB message sent
        s.sendall(_frame(b'{"type": "upload_csv", "text": "' + b"x" * 60000 + b'"}')[:2000])
        time.sleep(0.2)
        _vanish(s)
        s = _raw_socket(port)                       # gone before the answers to its messages
        s.sendall(_frame(b'{"type": "catalog"}') + _frame(b'{"type": "step", "epochs": 3000}')
                  + _frame(b'{"type": "export", "what": "python"}'))
        _vanish(s)
        s = _raw_socket(port)                       # a binary frame, then gone
        s.sendall(_frame(b"\x00" * 10, opcode=2))
        _vanish(s)
        for _ in range(3):                          # gone during the handshake's answer
            _vanish(_raw_socket(port))
        full = [_raw_socket(port) for _ in range(3)]
        time.sleep(0.5)
        _vanish(_raw_socket(port))                  # one over the limit, gone before it is told
        for s in full:
            _vanish(s)
        time.sleep(1.0)
        from websockets.sync.client import connect
        with connect(f"ws://127.0.0.1:{port}/ws") as ws:    # still serving, every session freed
            _until(ws, "hello")
            ws.send('{"type": "step"}')
            assert _until(ws, "frame")["epoch"] == 1
    finally:
        srv.send_signal(signal.SIGINT)
        try:
            _, err = srv.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            srv.kill()
            _, err = srv.communicate()
    assert "Traceback" not in err and "ERROR" not in err and "Exception" not in err, err[-3000:]
