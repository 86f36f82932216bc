"""Every attribution method on one trained tabular classifier: local maps, global importances, rank agreement,
per-class maps for image data, and the completeness and additivity checks."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.explain.models import Trained
from nnlab.labs.explain.settings import Settings

__all__ = ["AttributionResult", "explain_dataset", "class_maps"]


@dataclass
class AttributionResult:
    """Every method on one data set: local maps of the explained examples, global importances, the checks."""
    name: str
    trained: Trained
    X: np.ndarray                                       # (n, d) explained test examples, model space
    target: np.ndarray                                  # (n,) the predicted class, whose logit is explained
    local: dict = field(default_factory=dict)           # method -> (n, d)
    importance: dict = field(default_factory=dict)      # method -> (d,): mean |attribution|, or permutation's
    ig_completeness_rel_error: float | None = None
    ig_completeness_gaps: dict | None = None            # worst absolute error, mean and smallest |f(x) - f(b)|
    shap_additivity_abs_error: float | None = None
    agreement: np.ndarray | None = None                 # (M, M) Spearman, methods in ``importance`` order
    class_maps: dict = field(default_factory=dict)      # method -> (K, d) mean map per class (image data)

    def top_features(self, method: str, k: int = 5) -> list[str]:
        """The ``k`` features ``method`` ranks highest."""
        order = np.argsort(-self.importance[method], kind="stable")[:k]
        return [self.trained.feature_names[i] for i in order]


def class_maps(model64, trained: Trained, method: str, steps: int, per_class: int = 30) -> np.ndarray:
    """(K, d): for each class c, the mean ``method`` map of the logit f_c over up to ``per_class`` test examples
    of class c."""
    from nnlab.labs.explain.attributions import GRADIENT_METHODS
    maps = []
    for c in range(len(trained.class_names)):
        X = trained.X_test[trained.y_test == c][:per_class]
        maps.append(GRADIENT_METHODS[method](model64, X, np.full(len(X), c), trained.baseline, steps).mean(axis=0))
    return np.stack(maps)


def explain_dataset(trained: Trained, settings: Settings) -> AttributionResult:
    """Run ``settings.methods`` on the first ``settings.n_explain`` test examples of ``trained``."""
    from nnlab.labs.explain.attributions import (
        GRADIENT_METHODS,
        as_float64,
        ig_completeness_gaps,
        ig_completeness_rel_error,
        kernel_shap,
        logits,
        permutation,
        rank_agreement,
        shap_additivity_abs_error,
    )
    model64 = as_float64(trained.model)
    X = trained.X_test[:settings.n_explain]                              # (n, d)
    target = logits(model64, X).argmax(axis=1)                           # (n,) explain the predicted class
    rows = np.arange(len(X))
    result = AttributionResult(trained.name, trained, X, target)
    importance = {}
    for method in settings.methods:
        # 1) local methods: a map per example, whose mean |value| ranks the features
        if method in GRADIENT_METHODS:
            result.local[method] = GRADIENT_METHODS[method](model64, X, target, trained.baseline, settings.ig_steps)
        elif method == "shap":
            rng = np.random.default_rng(settings.seed)
            pick = rng.choice(len(trained.X_train), min(settings.shap_background, len(trained.X_train)),
                              replace=False)
            values, expected = kernel_shap(model64, X, trained.X_train[pick], settings.shap_nsamples, settings.seed)
            result.local[method] = values[rows, :, target]               # (n, d) phi of the explained logit
            result.shap_additivity_abs_error = shap_additivity_abs_error(model64, X, values, expected)
        # 2) the global reference: shuffle one column of the whole test set at a time
        elif method == "permutation":
            importance[method] = permutation(model64, trained.X_test, trained.y_test, settings.permutation_repeats,
                                             settings.seed)
        if method in result.local:
            importance[method] = np.abs(result.local[method]).mean(axis=0)
    result.importance = {m: importance[m] for m in settings.methods}
    # 3) the checks and the agreement between methods
    if "integrated-gradients" in result.local:
        result.ig_completeness_rel_error = ig_completeness_rel_error(
            model64, X, target, trained.baseline, result.local["integrated-gradients"])
        result.ig_completeness_gaps = ig_completeness_gaps(model64, X, target, trained.baseline,
                                                           result.local["integrated-gradients"])
    if len(result.importance) > 1:
        result.agreement = rank_agreement(result.importance)
    if trained.image is not None:
        for method in ("saliency", "integrated-gradients"):
            if method in settings.methods:
                result.class_maps[method] = class_maps(model64, trained, method, settings.ig_steps)
    return result
