import json

import numpy as np
import pytest
import torch

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.data.images import IMAGE_SETS, SHAPE_CLASSES, load_images, make_shapes, shift_images
from nnlab.labs.conv import QUICK, Settings
from nnlab.labs.conv.inside import grating, measured_receptive_fields, receptive_fields, tuning
from nnlab.labs.conv.models import make_cnn, make_mlp, mlp_width_for, n_params
from nnlab.scratch.conv import col2im, conv2d, conv2d_backward, im2col
from nnlab.scratch.gradcheck import relative_error

# -- the image sets -----------------------------------------------------------------------------------------------

def test_make_shapes_is_seeded_balanced_and_in_range():
    X, y = make_shapes(160, seed=3)
    X2, y2 = make_shapes(160, seed=3)
    assert X.shape == (160, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(make_shapes(160, seed=4)[0], X)
    assert np.bincount(y).tolist() == [20] * len(SHAPE_CLASSES)
    assert X.min() >= 0 and X.max() <= 1
    # every shape is drawn (stroke pixels near 1) and stays inside: the one-pixel border holds only noise
    clean, _ = make_shapes(160, noise=0.0, seed=3)
    assert (clean.reshape(160, -1).max(1) > 0.99).all()
    border = np.concatenate([clean[..., 0, :], clean[..., -1, :], clean[..., :, 0], clean[..., :, -1]], axis=-1)
    assert border.max() == 0


def test_bars_lie_at_their_orientation():
    X, y = make_shapes(80, noise=0.0, seed=0)
    for k, angle in enumerate((0, 45, 90, 135)):
        img = X[np.flatnonzero(y == k)[0], 0].astype(np.float64)
        rows, cols = np.nonzero(img > 0.5)
        # principal axis of the ink, with rows growing downwards: angle measured anticlockwise on screen
        cov = np.cov(np.stack([cols, -rows]))
        vx, vy = np.linalg.eigh(cov)[1][:, -1]
        found = np.rad2deg(np.arctan2(vy, vx)) % 180
        assert min(abs(found - angle), 180 - abs(found - angle)) < 5


def test_digits_and_the_registry():
    X, y = load_images("digits")
    assert X.shape == (1797, 1, 8, 8) and X.max() == 1.0 and set(y.tolist()) == set(range(10))
    assert {n: s.size for n, s in IMAGE_SETS.items()} == {"shapes": 28, "digits": 8}
    with pytest.raises(InvalidArgument, match="'dataset'.*digits.*shapes"):
        load_images("mnist")


def test_shift_images_moves_by_whole_pixels_and_refuses_a_shift_as_large_as_the_image():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4) + 1
    right = shift_images(x, 1, 0)
    assert np.array_equal(right[0, 0, :, 1:], x[0, 0, :, :-1]) and (right[0, 0, :, 0] == 0).all()
    up = shift_images(x, 0, -2)
    assert np.array_equal(up[0, 0, :2], x[0, 0, 2:]) and (up[0, 0, 2:] == 0).all()
    assert np.array_equal(shift_images(x, 0, 0), x)
    with pytest.raises(InvalidArgument, match="dx"):
        shift_images(x, 4, 0)


# -- the from-scratch convolution ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, filters, kernel, stride, padding", [
    ((2, 1, 8, 8), 4, (3, 3), 1, 0), ((2, 3, 9, 7), 5, (3, 3), 2, 1), ((1, 2, 10, 10), 3, (5, 5), 1, 2),
    ((2, 2, 11, 9), 3, (4, 2), (2, 3), (1, 0)), ((3, 4, 6, 6), 2, (1, 1), 2, 0), ((1, 1, 7, 7), 2, (7, 7), 1, 3)])
def test_scratch_conv_and_its_gradients_equal_torch_in_float64(shape, filters, kernel, stride, padding):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=shape), rng.normal(size=(filters, shape[1], *kernel)), rng.normal(size=filters)
    out, cache = conv2d(x, w, b, stride, padding)
    g = rng.normal(size=out.shape)
    dx, dw, db = conv2d_backward(g, cache)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tout = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding)
    (tout * torch.from_numpy(g)).sum().backward()
    assert tout.dtype == torch.float64 and out.shape == tuple(tout.shape)
    for ours, theirs in ((out, tout.detach()), (dx, tx.grad), (dw, tw.grad), (db, tb.grad)):
        assert relative_error(ours, theirs.numpy()) < 1e-10


def test_col2im_is_the_adjoint_of_im2col_and_no_bias_means_no_bias_gradient():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 7, 6))
    cols, _, _ = im2col(x, 3, 2, stride=2, padding=1)
    c = rng.normal(size=cols.shape)
    assert np.sum(cols * c) == pytest.approx(np.sum(x * col2im(c, x.shape, 3, 2, stride=2, padding=1)), rel=1e-12)
    out, cache = conv2d(x, rng.normal(size=(4, 3, 3, 2)), None, 2, 1)
    assert conv2d_backward(np.ones_like(out), cache)[2] is None
    with pytest.raises(ValueError, match="same C"):
        conv2d(x, rng.normal(size=(4, 2, 3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        conv2d(x, rng.normal(size=(4, 3, 9, 9)))


# -- the networks and what the lab measures inside ----------------------------------------------------------------

def test_the_mlp_matches_the_cnn_parameter_count():
    cnn = make_cnn(28, 8, (8, 16), 0)
    assert n_params(cnn) == (25 + 1) * 8 + (9 * 8 + 1) * 16 + (16 * 7 * 7 + 1) * 8
    h = mlp_width_for(n_params(cnn), 784, 8)
    counts = {k: n_params(make_mlp(28, 8, k, 0)) for k in (h - 1, h, h + 1)}
    assert min(counts, key=lambda k: abs(counts[k] - n_params(cnn))) == h


def test_receptive_fields_by_the_recursion_and_by_gradients():
    cnn = make_cnn(28, 8, (8, 16), 0)
    assert [(f["stage"], f["field"], f["jump"]) for f in receptive_fields(cnn)] == [
        ("conv 1", 5, 1), ("pool 1", 6, 2), ("conv 2", 10, 2), ("pool 2", 12, 4)]
    measured = measured_receptive_fields(cnn, 28)
    assert [m["field"] for m in measured.values()] == [5, 6, 10, 12]
    assert not any(m["clipped"] for m in measured.values())
    small = measured_receptive_fields(make_cnn(8, 10, (8, 16), 0), 8)         # 3 x 3 kernels on 8 x 8 digits
    assert small["conv 1"]["field"] == 3 and small["pool 2"]["clipped"]


def test_orientation_selectivity_of_known_filters():
    oriented = np.stack([grating(a, 4.0, 7)[None] for a in (0.0, 45.0, 90.0, 135.0)])   # gratings as filters
    t = tuning(oriented, angles=16)
    assert (t.osi > 0.6).all()
    assert np.allclose(t.preferred_angle, [0, 45, 90, 135], atol=3) or \
        np.allclose(np.minimum(t.preferred_angle, 180 - t.preferred_angle), [0, 45, 90, 45], atol=3)
    y, x = np.mgrid[-3:4, -3:4]
    round_ = np.exp(-(x ** 2 + y ** 2) / 2.0) - np.exp(-(x ** 2 + y ** 2) / 8.0) / 4   # centre-surround
    assert tuning(round_[None, None], angles=16).osi[0] < 0.05


def test_settings_refuse_bad_values():
    with pytest.raises(InvalidArgument, match="'dataset'"):
        Settings(datasets=("mnist",))
    with pytest.raises(InvalidArgument, match="8 x 8"):
        Settings(max_shift=8)
    Settings(datasets=("shapes",), max_shift=27)
    with pytest.raises(InvalidArgument, match="28 x 28"):
        Settings(datasets=("shapes",), max_shift=28)


# -- the command --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One `nnlab conv --quick` run shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("conv_quick")
    run_lab(out, "conv", "--quick")
    return out


def test_cli_quick_writes_the_summary_the_issue_asks_for(quick_run):
    summary = json.loads((quick_run / "summary.json").read_text())
    for key in ("cnn_test_accuracy", "mlp_test_accuracy", "cnn_params", "mlp_params", "shift_accuracy",
                "orientation_selectivity", "scratch_conv_max_rel_error"):
        assert key in summary, key
    assert summary["dataset"] == "shapes"
    assert set(summary["shift_accuracy"]) == {"cnn", "mlp"}
    assert list(summary["shift_accuracy"]["cnn"]) == ["0", "1", "2", "3"]
    assert abs(summary["cnn_params"] - summary["mlp_params"]) / summary["cnn_params"] < 0.15
    assert summary["cnn_test_accuracy"] > summary["mlp_test_accuracy"]
    assert set(summary["orientation_selectivity"]) == {"init", "trained"}
    assert summary["scratch_conv_max_rel_error"] < 1e-10
    assert summary["cnn_macs"] > 10 * summary["mlp_macs"]
    assert len(summary["files"]) == 7
    for name in summary["files"]:
        assert (quick_run / name).stat().st_size > 10_000
    claims = check_lab_outputs(quick_run, "conv")
    assert {c["id"] for c in claims if c["headline"]} == {
        "cnn_beats_mlp", "cnn_degrades_less", "receptive_fields_match", "training_sharpens_orientation",
        "scratch_conv_matches_torch"}
    page = (quick_run / "report.md").read_text()
    assert f"{summary['cnn_test_accuracy']:.3f}" in page and f"{summary['mlp_params']:,}" in page
    assert f"{summary['orientation_selectivity']['trained']:.3f}" in page


def test_a_claim_that_does_not_hold_says_what_the_run_showed(quick_run):
    from nnlab.labs.conv.report import make_claims
    summary = json.loads((quick_run / "summary.json").read_text())
    d = summary["by_dataset"]["shapes"]
    d["cnn"]["shift_accuracy"]["3"] = d["cnn"]["shift_accuracy"]["0"] - 0.9
    summary["orientation_selectivity"]["trained"] = summary["orientation_selectivity"]["init"]
    summary["scratch_conv_max_rel_error"] = 1e-6
    claims = make_claims(summary, QUICK, quick=True)
    assert not claims["cnn_degrades_less"].holds
    assert "does not lose less accuracy than the MLP at every shift: at 1 of 3" in claims["cnn_degrades_less"].text
    assert not claims["training_sharpens_orientation"].holds
    assert "did not raise the first layer's mean OSI" in claims["training_sharpens_orientation"].text
    assert not claims["scratch_conv_matches_torch"].holds and "1.0e-06" in claims["scratch_conv_matches_torch"].text


@pytest.mark.parametrize("args, line", [
    (["--dataset", "mnist"], "Error: --dataset must be one of ['digits', 'shapes']. Got 'mnist' instead."),
    (["--max-shift", "8"], "Error: --max-shift must be an integer in the range [0, 7] (the digits images are 8 x 8)"),
    (["--dataset", "shapes", "--max-shift", "30"], "Error: --max-shift must be an integer in the range [0, 27]"),
    (["--max-shift", "-1"], "Error: --max-shift must be an integer >= 0"),
    (["--epochs", "0"], "Error: --epochs must be an integer >= 1"),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, line):
    from nnlab.cli import main
    assert main(["conv", "--quick", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(line) and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "summary.json").exists()
