"""The tensor lab: NumPy and PyTorch agree on every demo; the layout facts it draws are right; figures and CLI."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from nnlab.labs.tensors import TENSOR_DEMOS, Demo, run_demo


def panel(result, library, label):
    return next(p for p in result[library] if p.label == label)


@pytest.mark.parametrize("name", list(TENSOR_DEMOS))
def test_numpy_and_torch_agree_on_values_shapes_and_strides(name):
    result = run_demo(name)
    assert result["equal"], result["mismatches"]
    assert len(result["numpy"]) == len(result["torch"]) >= 5
    for a, b in zip(result["numpy"], result["torch"]):
        np.testing.assert_array_equal(a.value, b.value)
        assert (a.shape, a.strides, a.contiguous, a.view_of is None) == (b.shape, b.strides, b.contiguous,
                                                                          b.view_of is None), a.label


def test_broadcasting_repeats_b_with_stride_zero_and_copies_nothing():
    r = run_demo("broadcast")
    wide = panel(r, "numpy", "np.broadcast_to(b, (2, 3))")
    assert wide.strides == (0, 1) and wide.byte_strides == (0, 4) and wide.view_of == "b"
    np.testing.assert_array_equal(panel(r, "numpy", "a + b").value, [[10, 21, 32], [13, 24, 35]])
    assert panel(r, "torch", "col + b").shape == (2, 3)


def test_transpose_swaps_strides_and_a_contiguous_copy_gets_its_own_memory():
    r = run_demo("reshape")
    t = panel(r, "torch", "x.view(2, 3).T")
    assert (t.strides, t.contiguous, t.view_of) == ((1, 3), False, "x")
    c = panel(r, "torch", "m.T.contiguous()")
    assert (c.strides, c.contiguous, c.view_of) == ((2, 1), True, None)
    # x.reshape(3, 2) keeps memory order: it is not the transpose
    assert not np.array_equal(panel(r, "numpy", "x.reshape(3, 2)").value, c.value)
    assert panel(r, "numpy", "x.reshape(2, 3).T").byte_strides == (4, 12)


def test_slices_are_views_and_fancy_indexing_copies():
    r = run_demo("slicing")
    assert panel(r, "numpy", "x[1:, ::2]").strides == (4, 2) and panel(r, "numpy", "x[1:, ::2]").view_of == "x"
    assert panel(r, "torch", "x[:, 1]").view_of == "x"
    assert panel(r, "numpy", "x[[2, 0]]").view_of is None and panel(r, "torch", "x[x % 3 == 0]").view_of is None
    np.testing.assert_array_equal(panel(r, "numpy", "x[x % 3 == 0]").value, [0, 3, 6, 9])


def test_reductions_by_hand():
    r = run_demo("reductions")
    np.testing.assert_array_equal(panel(r, "torch", "x.sum(dim=0)").value, [13, 13, 11, 15])   # 3+5+5, 1+9+3, ...
    np.testing.assert_array_equal(panel(r, "numpy", "x.argmax(axis=1)").value, [2, 1, 3])
    assert panel(r, "numpy", "x.mean()").shape == ()


def test_linear_layer_is_x_times_w_transposed_plus_b():
    r = run_demo("linear")
    x, w, b = (panel(r, "numpy", n).value for n in ("x", "W", "b"))
    layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
        expected = torch.relu(layer(torch.from_numpy(x))).numpy()
    np.testing.assert_array_equal(panel(r, "numpy", "np.maximum(z, 0)").value, expected)
    # row 0: x = (1, 2, 0); W rows (1, -1, 0.5) and (0, 2, -1): (1 - 2, 4) + (0.5, -1) = (-0.5, 3) -> ReLU (0, 3)
    np.testing.assert_array_equal(expected[0], [0, 3])
    assert panel(r, "torch", "layer.weight.T").strides == (1, 3)


def test_a_disagreement_is_reported(monkeypatch):
    def off_by_one():
        return [("a", torch.ones(2, 2)), ("a + 1", torch.ones(2, 2) + 2)]

    def right():
        return [("a", np.ones((2, 2), np.float32)), ("a + 1", np.ones((2, 2), np.float32) + 1)]
    monkeypatch.setitem(TENSOR_DEMOS, "bad", Demo("bad", "bad", "", right, off_by_one))
    result = run_demo("bad")
    assert not result["equal"] and result["mismatches"] == ["a + 1 vs a + 1"]


def test_cli_tensors_draws_the_figure_writes_the_summary_and_refuses_unknown_demos(tmp_path, capsys):
    from nnlab.cli import main   # in-process: the command is a thin shell over run_lab
    with pytest.raises(SystemExit) as done:   # typer ends a successful command with SystemExit(0)
        main(["tensors", "--out", str(tmp_path), "--demo", "linear"])
    assert done.value.code == 0 and "NumPy == PyTorch" in capsys.readouterr().out
    img = np.asarray(Image.open(tmp_path / "tensors_linear.png").convert("RGB"))
    assert img.shape[1] > 1500 and len(np.unique(img.reshape(-1, 3), axis=0)) > 200   # many coloured cells
    saved = json.loads((tmp_path / "tensors.json").read_text())
    assert saved[0]["demo"] == "linear" and saved[0]["equal"] and saved[0]["panels"][3]["strides"] == [1, 3]
    assert main(["tensors", "--demo", "transpose"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--demo" in err and "reshape" in err
