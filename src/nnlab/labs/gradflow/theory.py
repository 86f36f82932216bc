"""The infinite-width ("mean-field") variance recursions the measurements are drawn against.

A Linear layer n -> n with iid zero-mean weights of variance sigma_w^2 / n and biases of mean m_b, variance v_b
sends inputs h to pre-activations z = W h + b with, over the weights,

    E[z] = m_b,   Var(z) = sigma_w^2 * E[h^2] + v_b.

With h = act(z_prev) and z_prev ~ N(mu, s2) (exact at infinite width) that is a recursion on (mu, s2):

    relu, He (sigma_w^2 = 2):        E[relu(z)^2] = s2 / 2   ->  Var(z_l) = Var(z_{l-1})          (preserved)
    relu, LeCun / std 1/sqrt(n) (1): Var(z_l) = Var(z_{l-1}) / 2                                 (halves)
    tanh, Xavier (sigma_w^2 = 1 or gain^2): tanh(z) ~ z for small z, so Var stays near constant.

Backwards, the gradient g_l = dL/dz_l obeys Var(g_l) = sigma_w^2 * E[act'(z_l)^2] * Var(g_{l+1}) (square layers;
the gradient-independence approximation). A pre-activation residual block z_l = z_{l-1} + W act(z_{l-1}) + b
adds instead of replacing: Var(z_l) = Var(z_{l-1}) + sigma_w^2 E[act(z_{l-1})^2] + v_b and
Var(g_{l-1}) = (1 + sigma_w^2 E[act'(z_{l-1})^2]) Var(g_l). With batch norm the activation's input has mean 0 and
variance 1 by construction; no backward line is drawn for it.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["weight_moments", "theory_lines"]

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(128)     # an even count: no node at 0, where relu kinks


def weight_moments(init: str, fan_in: int, fan_out: int, gain_name: str, std: float = 0.01
                   ) -> tuple[float, float, float]:
    """(sigma_w^2 = fan_in * Var(W_ij), mean of a bias, variance of a bias) that ``INITS[init]`` draws for a
    ``fan_in -> fan_out`` Linear layer followed by the activation whose torch gain name is ``gain_name``."""
    from torch.nn.init import calculate_gain
    gain = calculate_gain(gain_name)
    if init == "pytorch":          # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases
        return 1 / 3, 0.0, 1 / (3 * fan_in)
    if init == "xavier":           # U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
        return gain ** 2 * 2 * fan_in / (fan_in + fan_out), 0.0, 0.0
    if init == "he":               # N(0, 2 / fan_in)
        return 2.0, 0.0, 0.0
    if init == "lecun":            # N(0, 1 / fan_in)
        return 1.0, 0.0, 0.0
    if init == "normal":           # N(0, std^2)
        return fan_in * std ** 2, 0.0, 0.0
    if init == "orthogonal":       # orthonormal rows (or columns) scaled by the gain
        return gain ** 2 * fan_in / max(fan_in, fan_out), 0.0, 0.0
    if init == "playground":       # U(-0.5, 0.5), bias 0.1
        return fan_in / 12, 0.1, 0.0
    raise ValueError(f"no weight moments for init {init!r}")


def _expect(activation: str, mu: float, s2: float) -> tuple[float, float]:
    """(E[act(z)^2], E[act'(z)^2]) for z ~ N(mu, s2), by 128-point Gauss-Hermite quadrature."""
    import torch

    from nnlab.nn.activations import ACTIVATIONS
    z = torch.tensor(mu + math.sqrt(max(s2, 0.0)) * _NODES, dtype=torch.float64, requires_grad=True)
    a = ACTIVATIONS[activation].module()(z)
    (slope,) = torch.autograd.grad(a.sum(), z)
    w = _WEIGHTS / math.sqrt(2 * math.pi)
    return float(w @ (a.detach().numpy() ** 2)), float(w @ (slope.numpy() ** 2))


def theory_lines(activation: str, init: str, width: int, depth: int, std: float = 0.01, residual: bool = False,
                 batch_norm: bool = False, input_var: float = 1.0) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted Var(z_l) and Var(dL/dz_l) for l = 1..depth, where z_l is what layer l's activation receives.

    The net is the one ``nnlab.labs.gradflow.variance`` measures: inputs x ~ N(0, input_var) of dimension
    ``width``, ``depth`` hidden layers of ``width`` (``nnlab.nn.MLP``, residual blocks in its pre-activation form),
    a Linear head width -> width, and a loss <logits, c> with c ~ N(0, 1), so the head's gradient has variance 1.
    The backward line is None with batch norm.
    """
    from nnlab.nn.activations import ACTIVATIONS
    sw, bm, bv = weight_moments(init, width, width, ACTIVATIONS[activation].gain_name, std)
    head, _, _ = weight_moments(init, width, width, "linear", std)
    forward = []                                                       # (mean, variance) of z_l
    mu, s2 = (0.0, 1.0) if batch_norm else (bm, sw * input_var + bv)   # z_1, from the input
    for layer in range(depth):
        if layer > 0:
            phi2, _ = _expect(activation, mu, s2)
            b_mu, b_s2 = (0.0, 1.0) if batch_norm else (bm, sw * phi2 + bv)     # the new Linear's output
            mu, s2 = (mu + b_mu, s2 + b_s2) if residual else (b_mu, b_s2)
        forward.append((mu, s2))
    variances = np.array([v for _, v in forward])
    if batch_norm:
        return variances, None
    backward = np.zeros(depth)
    g = head * _expect(activation, *forward[-1])[1]                   # dL/dz_L = (W_out^T c) * act'(z_L)
    backward[-1] = g
    for layer in range(depth - 2, -1, -1):
        chi = sw * _expect(activation, *forward[layer])[1]
        g = g * (1 + chi) if residual else g * chi
        backward[layer] = g
    return variances, backward
