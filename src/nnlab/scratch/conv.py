"""A 2-D convolution from scratch: NumPy float64, im2col, with its backward pass written by hand.

Forward (cross-correlation, as ``torch.nn.functional.conv2d``): with input x (N, C, H, W), weight w (F, C, kh, kw),
bias b (F,), stride (sh, sw) and zero padding (ph, pw),

    out[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * xp[n, c, i sh + u, j sw + v]

where xp is x padded with zeros; the output is Ho = (H + 2 ph - kh) // sh + 1 by Wo likewise. im2col lays every
receptive field out as one row of ``cols`` (N Ho Wo, C kh kw), so the convolution is one matrix product
``cols @ w.reshape(F, -1).T``.

Backward, given g = dL/dout (N, F, Ho, Wo) reshaped to G (N Ho Wo, F):

    dL/db = sum of g over n, i, j;   dL/dw = (G^T cols).reshape(w.shape);   dL/dcols = G w.reshape(F, -1)

and col2im adds each row of dL/dcols back onto the pixels it was copied from (a pixel in several receptive fields
collects several contributions), then drops the padding. No autograd is used; the tests compare all four arrays
with PyTorch's in float64.
"""
from __future__ import annotations

import numpy as np

__all__ = ["im2col", "col2im", "conv2d", "conv2d_backward", "Conv2dCache", "conv_output_size"]


def _pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"The '{name}' parameter of conv2d must be an integer or a pair of integers. Got {value!r}.")
    return int(pair[0]), int(pair[1])


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """(size + 2 padding - kernel) // stride + 1: how many positions the kernel takes along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def _indices(C: int, H: int, W: int, kh: int, kw: int, stride: tuple[int, int], padding: tuple[int, int]):
    """Index arrays (c, rows, cols) into the padded input, each (C kh kw, Ho Wo): which pixel every entry of
    every receptive field reads."""
    sh, sw = stride
    ph, pw = padding
    Ho, Wo = conv_output_size(H, kh, sh, ph), conv_output_size(W, kw, sw, pw)
    if Ho < 1 or Wo < 1:
        raise ValueError(f"conv2d: a {kh} x {kw} kernel does not fit the {H} x {W} input padded by {padding}.")
    c = np.repeat(np.arange(C), kh * kw)[:, None]
    u = np.tile(np.repeat(np.arange(kh), kw), C)[:, None]
    v = np.tile(np.arange(kw), kh * C)[:, None]
    i = np.repeat(np.arange(Ho) * sh, Wo)[None, :]
    j = np.tile(np.arange(Wo) * sw, Ho)[None, :]
    return c, u + i, v + j, Ho, Wo


def im2col(x: np.ndarray, kh: int, kw: int, stride=1, padding=0) -> tuple[np.ndarray, int, int]:
    """The receptive fields of x (N, C, H, W) as rows: (N Ho Wo, C kh kw), each row ordered (c, u, v) like a
    weight's ``reshape(F, -1)`` row; returns (cols, Ho, Wo)."""
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    N, C, H, W = x.shape
    c, rows, cols_, Ho, Wo = _indices(C, H, W, kh, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    patches = xp[:, c, rows, cols_]                       # (N, C kh kw, Ho Wo)
    return patches.transpose(0, 2, 1).reshape(N * Ho * Wo, -1), Ho, Wo


def col2im(dcols: np.ndarray, x_shape: tuple, kh: int, kw: int, stride=1, padding=0) -> np.ndarray:
    """The adjoint of ``im2col``: every row's entries added back onto the pixels they were read from; the
    padding is dropped. Returns an array of ``x_shape``."""
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    N, C, H, W = x_shape
    c, rows, cols_, Ho, Wo = _indices(C, H, W, kh, kw, stride, padding)
    ph, pw = padding
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=dcols.dtype)
    patches = dcols.reshape(N, Ho * Wo, -1).transpose(0, 2, 1)          # (N, C kh kw, Ho Wo)
    np.add.at(dxp, (slice(None), c, rows, cols_), patches)
    return dxp[:, :, ph:ph + H, pw:pw + W]


class Conv2dCache:
    """What the backward pass needs from the forward one."""

    def __init__(self, x_shape, w, cols, stride, padding, Ho, Wo, has_bias):
        self.x_shape, self.w, self.cols = x_shape, w, cols
        self.stride, self.padding, self.Ho, self.Wo, self.has_bias = stride, padding, Ho, Wo, has_bias


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride=1, padding=0
           ) -> tuple[np.ndarray, Conv2dCache]:
    """out (N, F, Ho, Wo) = the convolution of x (N, C, H, W) with w (F, C, kh, kw) plus b (F,), and the cache
    for ``conv2d_backward``. Everything is computed in float64."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError(f"conv2d needs x (N, C, H, W) and w (F, C, kh, kw) with the same C. Got {x.shape} and "
                         f"{w.shape}.")
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    F, _, kh, kw = w.shape
    cols, Ho, Wo = im2col(x, kh, kw, stride, padding)
    out = cols @ w.reshape(F, -1).T                                      # (N Ho Wo, F)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64)[None, :]
    N = x.shape[0]
    out = out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(out), Conv2dCache(x.shape, w, cols, stride, padding, Ho, Wo, b is not None)


def conv2d_backward(dout: np.ndarray, cache: Conv2dCache) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dL/dx, dL/dw, dL/db) from dL/dout (N, F, Ho, Wo), by the formulas in the module's docstring; dL/db is
    None for a convolution without a bias."""
    w = cache.w
    F, C, kh, kw = w.shape
    G = np.asarray(dout, dtype=np.float64).transpose(0, 2, 3, 1).reshape(-1, F)   # (N Ho Wo, F)
    db = G.sum(0) if cache.has_bias else None
    dw = (G.T @ cache.cols).reshape(w.shape)
    dcols = G @ w.reshape(F, -1)
    dx = col2im(dcols, cache.x_shape, kh, kw, cache.stride, cache.padding)
    return dx, dw, db
