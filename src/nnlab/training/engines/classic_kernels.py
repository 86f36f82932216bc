"""TensorFlow Playground's training step ("classic" semantics), compiled on top of the fast engine's kernels.

The forward and backward passes are ``kernels.forward`` and ``kernels.backward``; what differs from ``fit`` is
how gradients become updates (``nn.ts`` ``oneStep``/``updateWeights``):

- samples go in their stored order, never reshuffled; the gradient of 0.5 (out - y)^2 is summed per sample;
- the weights update after every ``batch`` samples (``(i + 1) % batch == 0``) with the mean of what was
  accumulated; a trailing partial batch is not flushed and carries into the next epoch's first update;
- regularisation acts on weights only, after the gradient step: w -= lr rate R'(w), R' = sign (L1) or w (L2),
  R' taken at the weight before the gradient step; under L1, a weight that the penalty pushes across zero is
  set to 0 and its link is dead (never updated again);
- the output unit is tanh for classification (labels -1/+1) and linear for regression.

Layout and codes are the fast engine's (``kernels.py``): x (d, n) float32, theta in torch's order, ``acts`` one
code per layer including the output layer. Cached on disk like ``kernels.run_epoch``; numba keys that cache on
this file only, so after changing ``kernels.forward``/``backward`` clear ``__pycache__/classic_kernels*``.

The entry points release Python's interpreter lock while they run (``nogil``): the playground's tabs train in
threads of one server process, and with the lock released they use every core. ``classic_epochs`` runs many
epochs in one call, so a chunk of training holds the lock only to start and to return.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from nnlab.training.engines.kernels import TANH, _output_block, backward, forward

# hyper: lr, regularisation rate, regularisation kind (0 none, 1 L1, 2 L2), leaky_relu slope
C_LR, C_RATE, C_KIND, C_SLOPE = range(4)
N_CLASSIC_HYPER = 4
NO_REG, L1_REG, L2_REG = range(3)


@njit
def _update(theta, acc, dead, sizes, hyper, count):
    """updateWeights: w -= lr acc / count, then the penalty step with the L1 zero rule; biases unpenalised."""
    lr, rate, kind = hyper[C_LR], hyper[C_RATE], int(hyper[C_KIND])
    step = np.float32(lr / count)
    shrink = np.float32(lr * rate)
    p = 0
    for l in range(len(sizes) - 1):
        n_w = sizes[l] * sizes[l + 1]
        for q in range(p, p + n_w):
            if dead[q]:
                continue
            w = theta[q]
            if kind == L1_REG:
                der = np.float32(1) if w > 0 else (np.float32(-1) if w < 0 else np.float32(0))
            elif kind == L2_REG:
                der = w
            else:
                der = np.float32(0)
            w = w - step * acc[q]
            new = w - shrink * der
            if kind == L1_REG and w * new < 0:
                theta[q] = 0
                dead[q] = 1
            else:
                theta[q] = new
        for q in range(p + n_w, p + n_w + sizes[l + 1]):
            theta[q] = theta[q] - step * acc[q]
        p += n_w + sizes[l + 1]
    for q in range(len(acc)):
        acc[q] = 0


@njit(cache=True, nogil=True)
def classic_epoch(theta, grad, acc, dead, carry, sizes, acts, hyper, x, t, batch, work, out):
    """One epoch (one pass over the n columns of ``x`` (d, n), targets ``t`` (n,)) of TF Playground's oneStep.

    ``carry`` = [samples accumulated in ``acc`` and not applied yet]; work = (Z, A, D, E, xb) sized for
    ``batch`` samples. out = [sum of 0.5 (out - t)^2 over the samples' training forward passes, correct signs].
    """
    Z, A, D, E, xb = work
    n, d = x.shape[1], x.shape[0]
    slope = np.float32(hyper[C_SLOPE])
    tanh_out = acts[len(acts) - 1] == TANH
    total, correct = 0.0, 0
    i = 0
    while i < n:
        # 1) the samples up to the next update boundary (or the end of the data)
        end = min(n, (i // batch + 1) * batch)
        b = end - i
        for k in range(d):
            for s in range(b):
                xb[k, s] = x[k, i + s]
        # 2) forward; 3) dE/dz of the output for E = 0.5 (out - t)^2
        forward(theta, sizes, acts, slope, xb, b, Z, A)
        o = _output_block(sizes, b)
        for s in range(b):
            y = A[o + s]
            e = y - t[i + s]
            total += 0.5 * e * e
            correct += 1 if (y > 0) == (t[i + s] > 0) else 0
            D[s] = e * (np.float32(1) - y * y) if tanh_out else e
        # 4) backward: grad = the sum of the chunk's per-sample gradients; accumulate
        backward(theta, grad, sizes, acts, slope, xb, b, Z, A, D, E)
        for q in range(len(acc)):
            acc[q] += grad[q]
        carry[0] += b
        # 5) update every `batch` samples
        if end % batch == 0:
            _update(theta, acc, dead, sizes, hyper, carry[0])
            carry[0] = 0
        i = end
    out[0] = total
    out[1] = correct


@njit(cache=True, nogil=True)
def classic_epochs(epochs, theta, grad, acc, dead, carry, sizes, acts, hyper, x, t, batch, work, out):
    """``epochs`` epochs of ``classic_epoch``; out (epochs, 2) gets each epoch's two sums, in order. Stops after
    an epoch whose loss sum is not finite (the rows after it stay as they were)."""
    one = np.zeros(2)
    for e in range(epochs):
        classic_epoch(theta, grad, acc, dead, carry, sizes, acts, hyper, x, t, batch, work, one)
        out[e, 0], out[e, 1] = one[0], one[1]
        if not np.isfinite(one[0]):
            return e + 1
    return epochs


@njit(cache=True, nogil=True)
def forward_all(theta, sizes, acts, slope, x, Z, A):
    """Every unit's activation for all n columns of ``x`` (d, n): A (sum(sizes[1:]) * n,), layer after layer,
    each block (units, n); Z likewise the pre-activations. For neuron maps and evaluation."""
    forward(theta, sizes, acts, np.float32(slope), x, x.shape[1], Z, A)
