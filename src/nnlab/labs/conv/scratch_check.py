"""The from-scratch convolution (``nnlab.scratch.conv``) against ``torch.nn.functional.conv2d`` in float64: the
output and the gradients with respect to the input, the weights and the bias, for several shapes, strides and
paddings. The error of one array is ``relative_error``: max |ours - torch's| / the larger array's max |.|."""
from __future__ import annotations

import numpy as np
import torch

from nnlab.scratch.conv import conv2d, conv2d_backward
from nnlab.scratch.gradcheck import relative_error

__all__ = ["CASES", "compare", "check_all"]

# (N, C, H, W, F, kh, kw, stride, padding)
CASES = (
    (2, 1, 8, 8, 4, 3, 3, 1, 1),
    (3, 2, 9, 7, 5, 3, 3, 2, 1),
    (2, 3, 10, 10, 4, 5, 5, 1, 2),
    (2, 2, 11, 9, 3, 4, 2, (2, 3), (1, 0)),
    (1, 4, 7, 7, 6, 1, 1, 1, 0),
    (2, 1, 28, 28, 8, 5, 5, 2, 0),
)


def compare(case, seed: int = 0) -> dict:
    """Errors of the output and of dx, dw, db for one case; a random upstream gradient g, loss = sum(out * g)."""
    N, C, H, W, F, kh, kw, stride, padding = case
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(F, C, kh, kw)), rng.normal(size=F)
    out, cache = conv2d(x, w, b, stride, padding)
    g = rng.normal(size=out.shape)
    dx, dw, db = conv2d_backward(g, cache)
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    tout = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding)
    (tout * torch.from_numpy(g)).sum().backward()
    errors = {"out": relative_error(out, tout.detach().numpy()), "dx": relative_error(dx, tx.grad.numpy()),
              "dw": relative_error(dw, tw.grad.numpy()), "db": relative_error(db, tb.grad.numpy())}
    return {"case": {"input": [N, C, H, W], "filters": F, "kernel": [kh, kw], "stride": stride, "padding": padding,
                     "output": list(out.shape)}, "errors": errors, "max": max(errors.values())}


def check_all(seed: int = 0) -> dict:
    """Every case; ``max_rel_error`` is the largest error over all cases and arrays."""
    results = [compare(c, seed) for c in CASES]
    return {"cases": results, "max_rel_error": max(r["max"] for r in results)}
