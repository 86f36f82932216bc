"""K MLPs of one architecture as one (K, P) tensor, and their forward pass as batched matmuls.

Trial k's parameters are row k of one (K, P) tensor; layer l's weight is a (K, out, in) view of it and its bias
a (K, out) view. Activations are kept feature-major, (K, features, b), and flow through
``z = baddbmm(bias, W, a)``, so one ``torch.baddbmm`` does the work of K ``nn.Linear`` calls. (Feature-major
makes each product a short-by-long (out, in) @ (in, b) one, which CPU BLAS runs several times faster than the
(b, in) @ (in, out) product with a tiny last dimension.)

The forward pass is ``nnlab.nn.MLP``'s, per trial: a = Dropout(act(z_{l-1})) feeds layer l, and a trial with
``residual`` adds z_{l-1} to z_l where layer l (a hidden layer after the first) keeps the width, as MLP's
``Residual`` blocks do. Dropout draws each trial's masks from its own generator, seeded as ``fit`` seeds torch's
global one, with the same calls in the same order (``bernoulli_(1 - p)`` on a (b, width) tensor per layer), so a
trial sees the masks it would see alone.
"""
from __future__ import annotations

import torch

from nnlab.nn.activations import ACTIVATIONS

__all__ = ["StackedMLP"]


class StackedMLP:
    """The Linear layers of K MLPs (``nnlab.nn.MLP``, one architecture) stacked into one (K, P) tensor."""

    def __init__(self, models: list):
        layers = [m.linear_layers() for m in models]
        self.shapes = [(lin.out_features, lin.in_features) for lin in layers[0]]      # (out, in) per layer
        rows = [torch.cat([t.detach().reshape(-1) for lin in ls for t in (lin.weight, lin.bias)]) for ls in layers]
        self.flat = torch.stack(rows)                                                   # (K, P)
        self.activation = ACTIVATIONS[models[0].config.activation].module()             # after each hidden layer
        self.views = self._views()
        self.skips = self._skips([bool(m.config.residual) for m in models])
        self.dropout = [float(m.config.dropout) for m in models]
        self.generators: list[torch.Generator | None] = [None] * len(models)          # set by seed_dropout
        self.dropping = False

    def __repr__(self) -> str:
        return f"StackedMLP(K={self.flat.shape[0]}, layers={self.shapes})"

    def _views(self) -> list[torch.Tensor]:
        """[W1 (K, out, in), b1 (K, out), W2, b2, ...]: views into ``flat``, updated by in-place steps."""
        K, views, at = self.flat.shape[0], [], 0
        for out, inp in self.shapes:
            views.append(self.flat[:, at:at + out * inp].view(K, out, inp))
            at += out * inp
            views.append(self.flat[:, at:at + out])
            at += out
        return views

    def _skips(self, residual: list[bool]) -> list:
        """Per layer: None (no skip), True (every trial adds z_{l-1}) or a (K, 1, 1) mask of the trials that do."""
        mask = torch.tensor(residual).reshape(-1, 1, 1)
        skip = True if all(residual) else (mask if any(residual) else None)
        return [skip if 0 < i < len(self.shapes) - 1 and out == inp else None
                for i, (out, inp) in enumerate(self.shapes)]

    def seed_dropout(self, seeds: list[int]) -> None:
        """Give each trial with dropout its mask generator, seeded as ``fit`` seeds torch for that trial."""
        self.generators = [torch.Generator().manual_seed(s) if p > 0 else None for s, p in zip(seeds, self.dropout)]
        self.dropping = any(g is not None for g in self.generators)

    def _drop(self, a: torch.Tensor) -> torch.Tensor:
        """a (K, width, b) with each trial's dropout mask applied (torch's ``_dropout_impl``, per trial)."""
        noise = torch.ones_like(a)
        for k, (p, g) in enumerate(zip(self.dropout, self.generators)):
            if g is not None:
                mask = torch.empty(a.shape[2], a.shape[1]).bernoulli_(1 - p, generator=g)      # (b, width)
                noise[k] = mask.div_(1 - p).T
        return a * noise

    def forward(self, x: torch.Tensor, params: list[torch.Tensor] | None = None, train: bool = False) -> torch.Tensor:
        """(K, in, b) inputs -> (K, outputs, b); ``params`` defaults to the current views; ``train`` applies
        dropout (and draws its masks)."""
        params = self.views if params is None else params
        dropping = train and self.dropping
        z = x
        for i, skip in enumerate(self.skips):
            W, b = params[2 * i], params[2 * i + 1]
            a = x if i == 0 else self.activation(z)
            if dropping and i > 0:
                a = self._drop(a)
            h = torch.baddbmm(b.unsqueeze(2), W, a)                                     # (K, out, b)
            if skip is True:
                h = z + h
            elif skip is not None:
                h = torch.where(skip, z + h, h)
            z = h
        return z

    def parameters(self, k: int) -> list[torch.Tensor]:
        """Trial k's parameters in ``MLP.parameters()`` order: W1, b1, W2, b2, ..."""
        return [v[k].clone() for v in self.views]
