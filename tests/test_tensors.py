"""The tensor lab: NumPy and PyTorch agree on every demo; the layout facts it draws are right; the quick run's page
(claims that hold, figures without problems); claims that do not hold say what the run showed; the CLI."""
import copy
import json

import numpy as np
import pytest
import torch
from PIL import Image

from labcheck import check_lab_outputs
from nnlab.labs.tensors import TENSOR_DEMOS, Demo, demo_record, run_demo, run_lab
from nnlab.labs.tensors.report import make_claims

HEADLINES = {"numpy_torch_agree", "broadcast_no_copy", "transpose_is_a_view", "slices_view_indexing_copies",
             "linear_is_x_wt_plus_b", "kernels_match_blas"}
SPEED = {"compiled_vs_python", "loop_order", "tiling", "blas_fastest", "timing_quiet"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab tensors --quick` for the module, through the CLI."""
    from nnlab.cli import main
    out = tmp_path_factory.mktemp("tensors")
    assert main(["tensors", "--quick", "--out", str(out)]) == 0     # main returns the exit code
    return out


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
    assert not result["equal"] and result["mismatches"] == ["a + 1 vs a + 1: values"]
    claim = make_claims({"demos": [demo_record(result)]}, quick=True)["numpy_torch_agree"]
    assert not claim.holds and claim.text.startswith("NumPy and PyTorch differ in 1 of the 2 arrays: a + 1 vs a + 1")


def test_quick_run_publishes_the_page_and_its_headlines_hold(quick_run):
    claims = check_lab_outputs(quick_run, "tensors")
    ids = {c["id"] for c in claims}
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    assert SPEED <= ids and not any(c["headline"] for c in claims if c["id"] in SPEED)   # speed is never a headline
    summary = json.loads((quick_run / "summary.json").read_text())
    assert summary["run"]["quick"] and summary["settings"]["demos"] == list(TENSOR_DEMOS)
    assert [d["demo"] for d in summary["demos"]] == list(TENSOR_DEMOS)
    timed = [r for r in summary["matmul"]["rows"] if r["status"] == "ok"]
    assert {r["variant"] for r in timed} == {"python-ikj", "numba-ijk", "numba-ikj", "numba-tiled", "numpy"}
    assert all(r["err_eps"] <= 10 for r in timed)
    assert summary["run"]["versions"]["torch_threads"] == 1   # the lab pins torch to one thread
    page = (quick_run / "report.md").read_text()
    assert "## Matrix multiplication, from pure Python to BLAS" in page and "tensors_matmul.png" in page


def test_quick_run_draws_every_figure_and_keeps_tensors_json(quick_run):
    for name in [*TENSOR_DEMOS, "matmul"]:
        img = np.asarray(Image.open(quick_run / f"tensors_{name}.png").convert("RGB"))
        assert img.shape[1] > 1000 and len(np.unique(img.reshape(-1, 3), axis=0)) > 200, name
    saved = json.loads((quick_run / "tensors.json").read_text())
    linear = next(d for d in saved if d["demo"] == "linear")
    assert linear["equal"] and linear["panels"][3]["strides"] == [1, 3]


def test_the_numbers_of_a_figure_are_those_of_its_claim(quick_run):
    claims = {c["id"]: c for c in json.loads((quick_run / "claims.json").read_text())}
    summary = json.loads((quick_run / "summary.json").read_text())
    reductions = next(d for d in summary["demos"] if d["demo"] == "reductions")
    mean = reductions["numpy_panels"][3]["values"]
    assert f"({mean:.3g})" in claims["reductions_by_hand"]["text"]   # the figure writes 4.33, so does the claim
    assert "(4.33)" in claims["reductions_by_hand"]["text"]


def test_a_run_of_one_demo_without_matmul_makes_only_its_claims(tmp_path):
    summary = run_lab(tmp_path, ["linear"], quick=True, matmul=False)
    claims = check_lab_outputs(tmp_path, "tensors")
    assert {c["id"] for c in claims} == {"numpy_torch_agree", "linear_rule", "linear_is_x_wt_plus_b"}
    assert "matmul" not in summary and not (tmp_path / "tensors_matmul.png").exists()


def test_claims_that_do_not_hold_say_what_the_run_showed(quick_run):
    """Break every tensor demo's numbers and every kernel's timing: each measured claim then renders its
    'otherwise' sentence from the numbers."""
    summary = json.loads((quick_run / "summary.json").read_text())
    broken = copy.deepcopy(summary)
    for d in broken["demos"]:
        d["mismatches"] = ["x vs x: values"]
        for lib in ("numpy_panels", "torch_panels"):
            for p in d[lib]:
                p["view_of"], p["strides"], p["contiguous"] = None, [7] * len(p["strides"]), False
                p["values"] = np.add(p["values"], 1).tolist()
            if d["demo"] == "reshape":   # x.reshape(3, 2) made equal to the transpose
                d[lib][4]["values"] = d[lib][3]["values"]
    m = broken["matmul"]
    m["prepared"][0]["status"] = "gate failed"
    for r in m["rows"]:
        if r["status"] == "ok":
            r["q1_s"] = 0.0   # every kernel's first quartile at zero: none is faster beyond the noise
            r["load1"] = 99.0
    claims = make_claims(broken, quick=True)
    measured = [c for c in claims if c.kind == "measured" and c.shown]
    assert measured and not [c.id for c in measured if c.holds]
    assert "differ in" in claims["numpy_torch_agree"].text
    assert "Not every kernel passed" in claims["kernels_match_blas"].text
    assert "not faster beyond the noise" in claims["tiling"].text and "busy" in claims["tiling"].text
    assert "not faster beyond the noise" in claims["compiled_vs_python"].text
    assert claims["timing_quiet"].text.startswith("The timings did not run on a quiet machine")
    assert "reached 99.00 on" in claims["timing_quiet"].text


def test_cli_refuses_unknown_demos_in_one_line(capsys):
    from nnlab.cli import main
    assert main(["tensors", "--demo", "transpose"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--demo" in err and "reshape" in err
