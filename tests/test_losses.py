"""The LOSSES registry: each entry's functions agree with each other, and a new entry is all a new loss needs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab.training.losses import LOSSES, Loss, check_compatible, output_size_for

# (labels, outputs) that each loss meets: class indices for 2 and 3 classes, regression targets
LABELS = {
    "two classes": (np.array([0, 1, 1, 0, 1]), 2),
    "three classes": (np.array([2, 0, 1, 1, 2, 0]), 3),
    "regression": (np.array([0.5, -1.25, 3.0, 0.0], dtype=np.float32), 1),
}


def _cases():
    for name, loss in LOSSES.items():
        for task_case, (y, n_classes) in LABELS.items():
            task = "regression" if task_case == "regression" else "classification"
            if task not in loss.tasks or (loss.classes is not None and n_classes != loss.classes):
                continue
            yield name, y, output_size_for(name, task, n_classes)


@pytest.mark.parametrize("name, y, outputs", list(_cases()))
def test_numpy_targets_are_the_torch_targets(name, y, outputs):
    theirs = LOSSES[name].targets(torch.as_tensor(y), outputs)
    ours = LOSSES[name].numpy_targets(y, outputs)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours, theirs.numpy())


def test_the_targets_are_what_each_loss_scores_against():
    y = torch.tensor([0, 1, 2])
    assert LOSSES["cross-entropy"].targets(y, 3).tolist() == [0, 1, 2]
    assert LOSSES["mse"].targets(y, 3).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]          # one-hot
    assert LOSSES["mse"].targets(torch.tensor([0, 1]), 1).tolist() == [[-1.0], [1.0]]          # -1/+1
    assert LOSSES["bce"].targets(torch.tensor([0, 1]), 1).tolist() == [[0.0], [1.0]]


@pytest.mark.parametrize("name, y, outputs", list(_cases()))
def test_the_stacked_value_and_prediction_are_each_trials_own(name, y, outputs):
    spec = LOSSES[name]
    gen = torch.Generator().manual_seed(0)
    K, n = 4, len(y)
    out = torch.randn(K, n, outputs, generator=gen)                                    # K models' outputs
    t = spec.targets(torch.as_tensor(y), outputs)
    stacked_t = torch.stack([t] * K)
    stacked_t = stacked_t if stacked_t.dim() == 2 else stacked_t.transpose(1, 2)        # feature-major
    values = spec.stacked_value(out.transpose(1, 2), stacked_t)                          # (K,)
    predictions = spec.stacked_predict(out.transpose(1, 2))                              # (K, n)
    for k in range(K):
        torch.testing.assert_close(values[k], spec.value(out[k], t), rtol=1e-6, atol=1e-7)
        assert torch.equal(predictions[k], spec.predict(out[k]))


def test_value_is_torchs_loss():
    out, y = torch.tensor([[2.0, -1.0], [0.5, 0.5]]), torch.tensor([0, 1])
    assert LOSSES["cross-entropy"].value(out, y) == pytest.approx(float(F.cross_entropy(out, y)))
    # mse against one-hot by hand: ((2-1)^2 + (-1)^2 + 0.5^2 + 0.5^2) / 4
    assert LOSSES["mse"].value(out, LOSSES["mse"].targets(y, 2)) == pytest.approx((1 + 1 + 0.25 + 0.25) / 4)


def _mae_targets(y, outputs):
    return y.float().reshape(-1, outputs)


def _mae_numpy_targets(y, outputs):
    return np.asarray(y, np.float32).reshape(-1, outputs)


def _mae_value(out, t):
    return (out - t).abs().mean()


def _mae_stacked_value(out, t):
    return (out - t).abs().flatten(1).mean(1)


MAE = Loss("mae", "|z - y|", ("regression",), _mae_targets, _mae_numpy_targets, _mae_value, _mae_stacked_value,
           lambda task, n_classes: 1)


def test_a_new_loss_is_its_entry_and_its_name_for_fit_and_the_batched_sweeps(monkeypatch):
    import nnlab.config
    import nnlab.names
    from nnlab.config import RunConfig
    from nnlab.data.prepare import prepare
    from nnlab.sweeps.batched import fit_batched
    from nnlab.training.run import sized_for_data, train
    monkeypatch.setitem(LOSSES, "mae", MAE)                       # the entry, and its name for the configs
    monkeypatch.setattr(nnlab.config, "LOSS_NAMES", (*nnlab.names.LOSS_NAMES, "mae"))
    configs = [RunConfig.from_dict({"data": {"dataset": "reg-plane", "n": 200},
                                    "model": {"hidden_sizes": [6], "activation": "tanh"},
                                    "train": {"loss": "mae", "optimizer": "adam", "lr": lr, "epochs": 30}})
               for lr in (1e-3, 1e-2)]
    data = [prepare(c.data) for c in configs]
    sized = [sized_for_data(c, d) for c, d in zip(configs, data)]
    check_compatible("mae", "regression", 0, sized[0].model.output_size)
    together = fit_batched(sized, data)
    for k, c in enumerate(configs):
        alone = train(c, data=data[k]).history            # "auto": the fast engine has no mae, so torch
        assert alone.engine == "torch"
        np.testing.assert_allclose(together.histories[k].loss, alone.loss, rtol=1e-5, atol=1e-6)
        assert together.histories[k].final["train_loss"] == pytest.approx(alone.final["train_loss"], rel=1e-5)
    with pytest.raises(Exception, match="must be one of"):
        check_compatible("mae", "classification", 2, 1)
