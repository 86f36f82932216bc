"""The explain lab's part 2: each attribution method against its defining property, and the sanity check."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from nnlab.labs.explain import QUICK
from nnlab.labs.explain.attribution_study import explain_dataset
from nnlab.labs.explain.attributions import (
    TorchClassifier,
    as_float64,
    gradient_x_input,
    ig_completeness_rel_error,
    integrated_gradients,
    kernel_shap,
    logits,
    permutation,
    rank_agreement,
    saliency,
    shap_additivity_abs_error,
)
from nnlab.labs.explain.models import TABULAR, train_tabular
from nnlab.labs.explain.sanity import SANITY_THRESHOLD, map_rank_correlation, randomized, sanity_check

SETTINGS = replace(QUICK, n_explain=8, shap_nsamples=200, shap_background=8, permutation_repeats=2)


@pytest.fixture(scope="module")
def cancer():
    return train_tabular("breast-cancer", SETTINGS)


@pytest.fixture(scope="module")
def digits():
    return train_tabular("digits", SETTINGS)


def _predicted(model64, X):
    return logits(model64, X).argmax(axis=1)


def test_tabular_models_learn_their_data(cancer, digits):
    assert cancer.test_accuracy > 0.93 and digits.test_accuracy > 0.93
    assert cancer.X_train.shape[1] == 30 and digits.X_train.shape[1] == 64
    np.testing.assert_allclose(cancer.X_train.mean(axis=0), 0, atol=1e-9)     # scaled with training statistics


def test_saliency_is_the_absolute_input_gradient_of_the_target_logit(cancer):
    model64 = as_float64(cancer.model)
    X = cancer.X_test[:5]
    target = _predicted(model64, X)
    x = torch.as_tensor(X).requires_grad_(True)
    model64(x)[torch.arange(5), torch.as_tensor(target)].sum().backward()
    np.testing.assert_allclose(saliency(model64, X, target), x.grad.abs().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gradient_x_input(model64, X, target), X * x.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["breast-cancer", "digits"])
def test_integrated_gradients_are_complete_within_one_percent(name, cancer, digits):
    trained = cancer if name == "breast-cancer" else digits
    model64 = as_float64(trained.model)
    X = trained.X_test[:20]
    target = _predicted(model64, X)
    attr = integrated_gradients(model64, X, target, trained.baseline, steps=SETTINGS.ig_steps)
    assert ig_completeness_rel_error(model64, X, target, trained.baseline, attr) < 0.01


def test_completeness_error_shrinks_with_more_path_steps(digits):
    model64 = as_float64(digits.model)
    X = digits.X_test[:20]
    target = _predicted(model64, X)
    errors = [ig_completeness_rel_error(model64, X, target, digits.baseline,
                                        integrated_gradients(model64, X, target, digits.baseline, steps))
              for steps in (2, 100)]
    assert errors[0] > 0.01 > errors[1]                # the check can fail: two steps are too few


def test_digits_baseline_is_the_blank_image(digits):
    raw = digits.scaler.mean_ + digits.baseline * digits.scaler.scale_
    np.testing.assert_allclose(raw, 0, atol=1e-9)
    assert TABULAR["breast-cancer"].baseline == "mean"


def test_kernel_shap_values_add_up_to_the_output(cancer):
    model64 = as_float64(cancer.model)
    X = cancer.X_test[:4]
    values, expected = kernel_shap(model64, X, cancer.X_train[:8], nsamples=200, seed=0)
    assert values.shape == (4, 30, 2) and expected.shape == (2,)
    np.testing.assert_allclose(expected, logits(model64, cancer.X_train[:8]).mean(axis=0), rtol=1e-10)
    assert shap_additivity_abs_error(model64, X, values, expected) < 1e-6
    # the same property with the values thrown off by 0.1 fails
    assert shap_additivity_abs_error(model64, X, values + 0.1 / 30, expected) > 0.09


def test_kernel_shap_is_repeatable_and_leaves_numpys_global_state_alone(cancer):
    model64 = as_float64(cancer.model)
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    a, _ = kernel_shap(model64, cancer.X_test[:2], cancer.X_train[:5], nsamples=100, seed=1)
    b, _ = kernel_shap(model64, cancer.X_test[:2], cancer.X_train[:5], nsamples=100, seed=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_permutation_importance_finds_the_one_feature_the_model_reads():
    model = torch.nn.Linear(4, 2).double()
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
        model.weight[1, 2], model.weight[0, 2] = 3.0, -3.0          # only feature 2 matters
    X = np.random.default_rng(0).normal(size=(200, 4))
    y = (X[:, 2] > 0).astype(np.int64)
    importance = permutation(model, X, y, repeats=3, seed=0)
    assert np.argmax(importance) == 2 and importance[2] > 1.0
    np.testing.assert_allclose(np.delete(importance, 2), 0.0, atol=1e-12)
    clf = TorchClassifier(model).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert list(clf.classes_) == [0, 1]


def test_rank_agreement_of_equal_and_reversed_rankings():
    a = np.array([0.1, 0.5, 0.3, 0.9])
    rho = rank_agreement({"a": a, "same": 2 * a, "reversed": -a})
    np.testing.assert_allclose(rho, [[1, 1, -1], [1, 1, -1], [-1, -1, 1]])


def test_explain_dataset_runs_every_method_and_its_checks(digits):
    result = explain_dataset(digits, SETTINGS)
    assert list(result.importance) == list(SETTINGS.methods)
    assert all(v.shape == (64,) for v in result.importance.values())
    assert all(m.shape == (8, 64) for m in result.local.values())
    assert result.ig_completeness_rel_error < 0.01
    assert result.shap_additivity_abs_error < 1e-6
    assert result.agreement.shape == (5, 5)
    assert set(result.class_maps) == {"saliency", "integrated-gradients"}
    assert result.class_maps["saliency"].shape == (10, 64)
    assert len(result.top_features("shap", 3)) == 3


# ---- the sanity check ------------------------------------------------------------------------------------------

def test_randomized_redraws_layers_from_the_output_down(digits):
    model64 = as_float64(digits.model)
    same = randomized(model64, 0)
    one = randomized(model64, 1)
    two = randomized(model64, 2)
    layers = [m.linear_layers() for m in (model64, same, one, two)]
    assert all(torch.equal(a.weight, b.weight) for a, b in zip(layers[0], layers[1]))
    assert torch.equal(layers[0][0].weight, layers[2][0].weight)                 # first layer kept
    assert not torch.equal(layers[0][-1].weight, layers[2][-1].weight)           # output layer redrawn
    assert torch.equal(layers[2][-1].weight, layers[3][-1].weight)               # a cascade: same redraw
    assert not torch.equal(layers[0][1].weight, layers[3][1].weight)


def test_map_rank_correlation_is_one_for_the_same_maps_and_near_zero_for_independent_ones():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 64))
    assert map_rank_correlation(A, -3 * A) == pytest.approx(1.0)              # ranks of |map|
    assert abs(map_rank_correlation(A, rng.normal(size=(20, 64)))) < 0.1


def test_saliency_passes_the_randomisation_check_and_input_shaped_maps_fail_it(digits):
    result = sanity_check(digits, SETTINGS)
    assert result.layers == [0, 1, 2, 3]
    assert result.correlation["saliency"][0] == pytest.approx(1.0)
    assert result.fully_randomized["saliency"] < SANITY_THRESHOLD and result.passed("saliency")
    # integrated gradients from a blank image carry the digit's ink in every map: it keeps a high correlation
    assert result.fully_randomized["integrated-gradients"] > SANITY_THRESHOLD
    # ... measured: the randomised network's IG maps follow |x - baseline| itself; saliency has no input factor
    factor = result.factor_correlation["integrated-gradients"]
    assert factor["factor"] == "x - baseline" and factor["randomized"] > SANITY_THRESHOLD
    assert "saliency" not in result.factor_correlation
