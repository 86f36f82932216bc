"""Attributions: which inputs a trained classifier's output depends on, by five methods, each checked against
the property that defines it.

Local methods explain the logit f_t of one class t at each example x (n, d) -> attributions (n, d):

- ``saliency``              |d f_t / d x|                                    (Captum ``Saliency``)
- ``gradient-x-input``      x * d f_t / d x                                  (Captum ``InputXGradient``)
- ``integrated-gradients``  (x - b) * integral_0^1 d f_t(b + a (x - b)) / d x da   (Captum, Gauss-Legendre)
                            completeness: sum_j IG_j = f_t(x) - f_t(b)
- ``shap``                  Kernel SHAP values phi (shap ``KernelExplainer``)
                            additivity: E[f_t] + sum_j phi_j = f_t(x)

The global method ``permutation`` (scikit-learn's ``permutation_importance``) is the model-agnostic reference:
the mean rise in the test log loss (cross-entropy) when one feature's column is shuffled. Gradients are taken on a
float64 copy of the model, so the checks measure the methods, not float32 round-off.
"""
from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["as_float64", "logits", "saliency", "gradient_x_input", "integrated_gradients", "kernel_shap",
           "permutation", "TorchClassifier", "ig_completeness_rel_error", "ig_completeness_gaps",
           "shap_additivity_abs_error",
           "rank_agreement", "GRADIENT_METHODS"]


def as_float64(model):
    """A float64, eval-mode copy of ``model`` (the original is left as it is)."""
    return copy.deepcopy(model).double().eval()


def logits(model64, X: np.ndarray) -> np.ndarray:
    """(n, K) outputs of the float64 model."""
    import torch
    with torch.no_grad():
        return model64(torch.as_tensor(np.asarray(X), dtype=torch.float64)).numpy()


def _captum(cls, model64, X, target, **kwargs) -> np.ndarray:
    import torch
    x = torch.as_tensor(np.asarray(X), dtype=torch.float64).requires_grad_(True)
    t = torch.as_tensor(np.asarray(target), dtype=torch.int64)
    return cls(model64).attribute(x, target=t, **kwargs).detach().numpy()


def saliency(model64, X: np.ndarray, target: np.ndarray, baseline=None, steps=None) -> np.ndarray:
    """|d f_t / d x|, (n, d). (``baseline`` and ``steps`` are unused: every gradient method takes the same
    arguments.)"""
    from captum.attr import Saliency
    return _captum(Saliency, model64, X, target, abs=True)


def gradient_x_input(model64, X: np.ndarray, target: np.ndarray, baseline=None, steps=None) -> np.ndarray:
    """x * d f_t / d x, (n, d). (``baseline`` and ``steps`` are unused.)"""
    from captum.attr import InputXGradient
    return _captum(InputXGradient, model64, X, target)


def integrated_gradients(model64, X: np.ndarray, target: np.ndarray, baseline: np.ndarray,
                         steps: int = 200) -> np.ndarray:
    """Integrated gradients from ``baseline`` (d,) to each row of ``X``, ``steps`` Gauss-Legendre nodes, (n, d)."""
    import torch
    from captum.attr import IntegratedGradients
    base = torch.as_tensor(np.broadcast_to(baseline, np.shape(X)).copy(), dtype=torch.float64)
    return _captum(IntegratedGradients, model64, X, target, baselines=base, n_steps=steps, method="gausslegendre")


def kernel_shap(model64, X: np.ndarray, background: np.ndarray, nsamples: int, seed: int = 0):
    """Kernel SHAP values of every logit: ``values`` (n, d, K) and ``expected`` (K,), the mean logit over the
    background. The explainer samples coalitions with NumPy's global generator; it is seeded here and restored."""
    import warnings
    with warnings.catch_warnings():              # shap's own colormap set-up uses deprecated matplotlib calls
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import shap
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        explainer = shap.KernelExplainer(lambda A: logits(model64, A), np.asarray(background))
        values = explainer.shap_values(np.asarray(X), nsamples=nsamples, silent=True)
    finally:
        np.random.set_state(state)
    values = np.stack(values, axis=-1) if isinstance(values, list) else np.asarray(values)
    if values.ndim == 2:                                                  # a single output
        values = values[:, :, None]
    return values, np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """A trained torch classifier seen as a scikit-learn classifier, for model-agnostic tools.

    ``fit`` does not train: it only records ``classes_`` (0..K-1, from the model's output size) and returns self.
    """

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y=None) -> TorchClassifier:
        self.classes_ = np.arange(logits(self.model, np.asarray(X)[:1]).shape[1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the logits, (n, K)."""
        z = logits(self.model, X)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.classes_[logits(self.model, X).argmax(axis=1)]


def permutation(model64, X: np.ndarray, y: np.ndarray, repeats: int, seed: int = 0) -> np.ndarray:
    """Mean rise in the log loss (scikit-learn's drop in its score, the negative log loss) when each feature is
    shuffled, over ``repeats`` shuffles: (d,)."""
    from sklearn.inspection import permutation_importance
    estimator = TorchClassifier(model64).fit(X, y)
    result = permutation_importance(estimator, X, y, scoring="neg_log_loss", n_repeats=repeats, random_state=seed)
    return result.importances_mean


def ig_completeness_rel_error(model64, X: np.ndarray, target: np.ndarray, baseline: np.ndarray,
                              attributions: np.ndarray) -> float:
    """max over examples of |sum_j IG_j - (f_t(x) - f_t(b))| / |f_t(x) - f_t(b)|."""
    rows = np.arange(len(X))
    gap = logits(model64, X)[rows, target] - logits(model64, baseline[None, :])[0, target]     # (n,)
    return float(np.max(np.abs(attributions.sum(axis=1) - gap) / np.maximum(np.abs(gap), 1e-12)))


def ig_completeness_gaps(model64, X: np.ndarray, target: np.ndarray, baseline: np.ndarray,
                         attributions: np.ndarray) -> dict:
    """The completeness error against the size of what it completes: the worst |sum_j IG_j - (f_t(x) - f_t(b))|
    over examples, the mean and the smallest |f_t(x) - f_t(b)|. (The worst per-example relative error divides by
    the smallest gap, which can be near zero for an example whose logit is close to the baseline's.)"""
    rows = np.arange(len(X))
    gap = logits(model64, X)[rows, target] - logits(model64, baseline[None, :])[0, target]     # (n,)
    return {"worst_abs_error": float(np.max(np.abs(attributions.sum(axis=1) - gap))),
            "mean_abs_gap": float(np.mean(np.abs(gap))), "smallest_abs_gap": float(np.min(np.abs(gap)))}


def shap_additivity_abs_error(model64, X: np.ndarray, values: np.ndarray, expected: np.ndarray) -> float:
    """max over examples and outputs of |E[f_k] + sum_j phi_jk - f_k(x)|."""
    return float(np.max(np.abs(expected[None, :] + values.sum(axis=1) - logits(model64, X))))


def rank_agreement(importances: dict[str, np.ndarray]) -> np.ndarray:
    """Spearman rank correlation between every pair of global importance vectors: (M, M), methods in dict order."""
    from scipy.stats import spearmanr
    names = list(importances)
    M = len(names)
    out = np.eye(M)
    for i in range(M):
        for j in range(i + 1, M):
            out[i, j] = out[j, i] = float(spearmanr(importances[names[i]], importances[names[j]]).statistic)
    return out


# The gradient methods, one call signature: (model64, X (n, d), target (n,), baseline (d,), steps) -> (n, d).
GRADIENT_METHODS = {"saliency": saliency, "gradient-x-input": gradient_x_input,
                    "integrated-gradients": integrated_gradients}
