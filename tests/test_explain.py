"""The explain lab's parts 1 and 3: hidden layers and probes, weight spectra, sharpness."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, TrainConfig
from nnlab.labs.explain import QUICK, Settings
from nnlab.labs.explain.hidden import hidden_activations, neuron_maps, pca_2d, probe_accuracy_per_layer
from nnlab.labs.explain.models import Snapshots, train_2d
from nnlab.labs.explain.sharpness import (
    SharpnessRun,
    full_hessian,
    hessian_vector_product,
    power_iteration_check,
    sharpness_study,
    top_eigenvalue,
)
from nnlab.labs.explain.spectra import (
    SpectrumTracker,
    default_init_variance,
    effective_rank,
    ks_distance,
    mp_density,
    mp_edges,
)
from nnlab.nn import build_mlp
from nnlab.training import fit


@pytest.fixture(scope="module")
def xor():
    return train_2d("xor", replace(QUICK, epochs_2d=200))


# ---- 1) neurons and hidden spaces ----------------------------------------------------------------------------

def test_hidden_activations_are_the_layers_outputs_after_their_activation():
    model = build_mlp(ModelConfig(hidden_sizes=(5, 3), activation="tanh"), seed=0)
    X = np.random.default_rng(0).normal(size=(7, 2))
    h1, h2 = hidden_activations(model, X)
    W1, b1, W2, b2 = (p.detach().double().numpy() for p in list(model.parameters())[:4])
    expected1 = np.tanh(X @ W1.T + b1)                            # (7, 5)
    np.testing.assert_allclose(h1, expected1, atol=1e-6)
    np.testing.assert_allclose(h2, np.tanh(expected1 @ W2.T + b2), atol=1e-6)


def test_snapshots_copy_the_weights_at_the_chosen_epochs():
    X, y = np.random.default_rng(1).normal(size=(40, 2)), np.arange(40) % 2
    model = build_mlp(ModelConfig(hidden_sizes=(4,)), seed=3)
    start = [p.detach().clone() for p in model.parameters()]
    snaps = Snapshots({0, 2, 5})
    fit(model, X, y, TrainConfig(lr=0.05, epochs=5), observers=[snaps])
    assert sorted(snaps.models_) == [0, 2, 5]
    for a, b in zip(snaps.models_[0].parameters(), start):
        torch.testing.assert_close(a, b)
    for a, b in zip(snaps.models_[5].parameters(), model.parameters()):
        torch.testing.assert_close(a, b)
    assert not torch.equal(next(snaps.models_[2].parameters()), start[0])


def test_probe_accuracy_rises_from_the_input_to_the_last_hidden_layer_on_xor(xor):
    probes = probe_accuracy_per_layer(xor)
    assert len(probes) == 1 + len(QUICK.hidden_2d)
    assert probes[0] < 0.7                           # no line separates xor in the input plane
    assert xor.test_accuracy > 0.95
    assert probes[-1] >= xor.test_accuracy - 0.02    # the output layer is a linear read-out of the last hidden one


def test_neuron_maps_cover_every_unit_and_stay_in_tanh_range(xor):
    axis, layers, output = neuron_maps(xor, xor.model, domain=6.0, resolution=16)
    assert axis.shape == (16,) and [m.shape for m in layers] == [(8, 16, 16)] * 3
    assert all(np.abs(m).max() <= 1.0 for m in layers)
    assert output.shape == (2, 16, 16) and 0.0 <= output.min() and output.max() <= 1.0
    np.testing.assert_allclose(output.sum(axis=0), 1.0, rtol=1e-5)
    p1 = output[1]                                   # [y, x]: xor's opposite quadrants share a class
    assert p1[2, 2] > 0.5 and p1[-3, -3] > 0.5 and p1[2, -3] < 0.5 and p1[-3, 2] < 0.5


def test_pca_of_planar_data_keeps_all_the_variance():
    A = np.random.default_rng(2).normal(size=(50, 2)) @ np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    proj, share = pca_2d(A)
    assert proj.shape == (50, 2) and share == pytest.approx(1.0)
    assert abs(np.corrcoef(proj.T)[0, 1]) < 1e-8               # principal axes are uncorrelated


def test_settings_reject_unknown_tasks_methods_and_datasets():
    with pytest.raises(InvalidArgument, match="seed-circle"):
        Settings(tasks=("sprial",))
    with pytest.raises(InvalidArgument, match="saliency"):
        Settings(methods=("lime",))
    with pytest.raises(InvalidArgument, match="digits"):
        Settings(datasets=("iris",))


# ---- 3) spectra ------------------------------------------------------------------------------------------------

def test_linear_default_init_has_variance_one_third_over_fan_in():
    torch.manual_seed(0)
    w = torch.nn.Linear(1000, 400).weight.detach().double()
    assert w.var().item() == pytest.approx(default_init_variance(1000), rel=0.02)


@pytest.mark.parametrize("m, n", [(100, 400), (300, 300), (400, 50)])
def test_marchenko_pastur_density_integrates_to_one(m, n):
    lo, hi = mp_edges(m, n, 0.01)
    s = np.linspace(lo, hi, 200001)
    assert np.trapezoid(mp_density(s, m, n, 0.01), s) == pytest.approx(1.0, abs=2e-3)


def test_default_init_singular_values_follow_marchenko_pastur():
    torch.manual_seed(0)
    s = torch.linalg.svdvals(torch.nn.Linear(200, 400).weight.detach().double()).numpy()   # W is 400 x 200
    sigma2 = default_init_variance(200)
    lo, hi = mp_edges(400, 200, sigma2)
    assert lo * 0.97 <= s.min() and s.max() <= hi * 1.03
    assert ks_distance(s, 400, 200, sigma2) < 0.05


def test_ks_distance_rejects_the_wrong_variance():
    torch.manual_seed(0)
    s = torch.linalg.svdvals(torch.nn.Linear(200, 400).weight.detach().double()).numpy()
    assert ks_distance(s, 400, 200, 2 * default_init_variance(200)) > 0.3


def test_effective_rank_of_flat_and_rank_one_spectra():
    assert effective_rank(np.ones(7)) == pytest.approx(7.0)
    assert effective_rank(np.array([3.0, 0.0, 0.0])) == pytest.approx(1.0)


def test_spectrum_tracker_records_start_and_end_of_training():
    X, y = np.random.default_rng(3).normal(size=(30, 2)), np.arange(30) % 2
    model = build_mlp(ModelConfig(hidden_sizes=(6,)), seed=0)
    tracker = SpectrumTracker(every=4)
    fit(model, X, y, TrainConfig(lr=0.05, epochs=10), observers=[tracker])
    assert tracker.epochs_ == [0, 4, 8, 10]
    assert [v.shape for v in tracker.values_] == [(4, 2), (4, 2)]
    np.testing.assert_allclose(tracker.values_[1][-1], torch.linalg.svdvals(model[2].weight.detach().double()))


# ---- 3) sharpness ----------------------------------------------------------------------------------------------

def _small_problem(seed=0):
    torch.manual_seed(seed)
    model = build_mlp(ModelConfig(hidden_sizes=(5, 4), activation="tanh", output_size=1), seed=seed).double()
    X = torch.randn(25, 2, dtype=torch.float64)
    T = torch.randn(25, 1, dtype=torch.float64)
    return model, X, T


def test_hessian_vector_product_equals_the_full_hessian_times_v():
    model, X, T = _small_problem()
    H = full_hessian(model, X, T, "mse")                                  # (P, P)
    v = [torch.randn_like(p) for p in model.parameters()]
    hv = torch.cat([h.reshape(-1) for h in hessian_vector_product(model, X, T, "mse")(v)])
    torch.testing.assert_close(hv, H @ torch.cat([x.reshape(-1) for x in v]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_power_iteration_matches_the_full_hessian_to_1e_6(seed):
    model, X, T = _small_problem(seed)
    exact = torch.linalg.eigvalsh(full_hessian(model, X, T, "mse")).max().item()
    lam, _, _ = top_eigenvalue(hessian_vector_product(model, X, T, "mse"), list(model.parameters()),
                               iters=20000, tol=1e-15, seed=seed)
    assert abs(lam - exact) / abs(exact) < 1e-6


def test_power_iteration_check_in_the_summary_passes():
    assert power_iteration_check(0)["rel_error"] < 1e-6


def test_top_eigenvalue_is_the_largest_even_when_a_negative_one_dominates():
    diag = torch.tensor([-5.0, 2.0, 1.0], dtype=torch.float64)
    lam, v, _ = top_eigenvalue(lambda vs: [diag * vs[0]], [torch.zeros(3, dtype=torch.float64)], iters=500,
                               tol=1e-14)
    assert lam == pytest.approx(2.0, rel=1e-8)
    assert abs(v[0][1].item()) == pytest.approx(1.0, rel=1e-6)


def test_gradient_descent_sharpness_settles_at_two_over_lr():
    settings = replace(QUICK, sharpness_lrs=(0.4,), sharpness_epochs=300, sharpness_every=10)
    (run,) = sharpness_study(settings)
    summary = run.summary()
    assert not run.diverged
    assert summary["initial_sharpness"] > 0
    assert 0.85 <= summary["late_over_edge"] <= 1.15


def test_loss_jump_is_the_largest_rise_above_the_running_minimum():
    run = SharpnessRun(0.1, loss=[1.0, 0.5, 0.25, 2.5, 0.3, 0.2, 0.3])
    jump = run.loss_jump()
    assert jump["loss_jump"] == pytest.approx(10.0) and jump["loss_jump_epoch"] == 4       # epochs count from 1
    assert jump["loss_jump_from"] == 0.25 and jump["loss_jump_to"] == 2.5
    assert SharpnessRun(0.1, loss=[1.0, 0.9, 0.8]).loss_jump()["loss_jump"] < 1            # never rose
    assert SharpnessRun(0.1, loss=[1.0]).loss_jump()["loss_jump"] is None
    assert SharpnessRun(0.1, loss=[1.0, 0.5, 3.0, float("nan")]).loss_jump()["loss_jump"] == pytest.approx(6.0)
