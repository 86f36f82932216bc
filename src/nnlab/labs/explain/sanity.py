"""The model-randomisation sanity check of Adebayo et al. (2018), "Sanity checks for saliency maps".

An explanation of a trained network should depend on what the network learned. Re-initialise its layers, from
the output layer down (cascading randomisation), and explain the same examples and classes again: if the maps
barely change (high rank correlation with the trained model's maps), the method shows the input more than the
model. The number reported is the mean over examples of the Spearman correlation between |map| of the trained
and of the fully randomised model. For the methods whose map multiplies the gradient by an input factor (gradient
x input: x; integrated gradients: x - baseline) the same correlation between |map| and |factor| measures how much
of the map that factor alone accounts for, trained or random.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.explain.models import Trained
from nnlab.labs.explain.settings import SANITY_METHODS, Settings

__all__ = ["SANITY_THRESHOLD", "INPUT_FACTORS", "randomized", "map_rank_correlation", "SanityResult",
           "sanity_check"]

# A method passes when its maps of the fully randomised model correlate below this with the trained model's.
SANITY_THRESHOLD = 0.5
# The input factor a method's map carries, as its name on the page (saliency |df/dx| has none).
INPUT_FACTORS = {"gradient-x-input": "x", "integrated-gradients": "x - baseline"}


def randomized(model64, layers_from_top: int, seed: int = 0):
    """A copy of ``model64`` whose last ``layers_from_top`` Linear layers are re-initialised by
    ``nn.Linear.reset_parameters`` (the default init), output layer first, from one seeded generator: the layers
    re-drawn for k are re-drawn identically for k + 1 (a cascade). Torch's global RNG state is kept."""
    import copy

    import torch
    from torch import nn
    model = copy.deepcopy(model64)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for layer in linears[::-1][:layers_from_top]:
            layer.reset_parameters()
    return model.eval()


def map_rank_correlation(A: np.ndarray, B: np.ndarray) -> float:
    """Mean over rows of the Spearman correlation between |A_i| and |B_i|; A, B (n, d). A constant row counts 0."""
    from scipy.stats import rankdata
    ra = rankdata(np.abs(A), axis=1)
    rb = rankdata(np.abs(B), axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    denom = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    corr = np.where(denom > 0, (ra * rb).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)
    return float(corr.mean())


@dataclass
class SanityResult:
    """Rank correlations after randomising 0..L layers from the top, and the maps before and after."""
    dataset: str
    methods: tuple[str, ...]
    layers: list[int]                                   # number of layers re-initialised, 0..L
    correlation: dict = field(default_factory=dict)     # method -> [corr after k layers for k in layers]
    trained_maps: dict = field(default_factory=dict)    # method -> (n, d)
    random_maps: dict = field(default_factory=dict)     # method -> (n, d), every layer re-initialised
    factor_correlation: dict = field(default_factory=dict)  # method -> {"factor", "trained", "randomized"}:
                                                        # rank correlation of |map| with |input factor|

    @property
    def fully_randomized(self) -> dict:
        """method -> rank correlation between the trained and the fully randomised model's maps."""
        return {m: c[-1] for m, c in self.correlation.items()}

    def passed(self, method: str) -> bool:
        return self.fully_randomized[method] < SANITY_THRESHOLD


def sanity_check(trained: Trained, settings: Settings, X: np.ndarray | None = None) -> SanityResult:
    """Cascading randomisation of ``trained.model`` for the gradient methods in ``settings.methods``.

    ``X`` (n, d) defaults to the first ``settings.n_explain`` test examples; the explained class stays the
    trained model's prediction at every step, as in the paper.
    """
    from nnlab.labs.explain.attributions import GRADIENT_METHODS, as_float64, logits

    methods = tuple(m for m in SANITY_METHODS if m in settings.methods)
    model64 = as_float64(trained.model)
    X = trained.X_test[:settings.n_explain] if X is None else X
    target = logits(model64, X).argmax(axis=1)
    depth = len(model64.linear_layers())
    result = SanityResult(trained.name, methods, list(range(depth + 1)))
    for method in methods:
        attribute = GRADIENT_METHODS[method]
        maps = [attribute(randomized(model64, k, settings.seed), X, target, trained.baseline, settings.ig_steps)
                for k in result.layers]
        result.trained_maps[method], result.random_maps[method] = maps[0], maps[-1]
        result.correlation[method] = [map_rank_correlation(maps[0], m) for m in maps]
        if method in INPUT_FACTORS:
            factor = X if INPUT_FACTORS[method] == "x" else X - trained.baseline
            result.factor_correlation[method] = {"factor": INPUT_FACTORS[method],
                                                 "trained": map_rank_correlation(maps[0], factor),
                                                 "randomized": map_rank_correlation(maps[-1], factor)}
    return result
