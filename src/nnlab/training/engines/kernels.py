"""The fast engine's compiled kernels: a small MLP's forward pass, loss, backward pass and optimizer step.

Layout (feature-major): a batch of b samples with d features is a (d, b) float32 array, so the innermost loops
run over samples, contiguous in memory, where LLVM vectorises them. The parameters live in one flat float32
vector ``theta`` in torch's order: W1 (h1, d), b1 (h1,), W2 (h2, h1), b2, ..., W_L (out, h_{L-1}), b_L.
``sizes`` = (d, h1, ..., out). ``Z`` and ``A`` hold every layer's pre-activations and activations, layer after
layer, each block (width, b). Arithmetic is float32 like torch's; only the loss sums accumulate in float64.
The optimizer updates repeat torch.optim's single-tensor formulas operation by operation, in float32.

``run_epoch`` (one epoch, an evaluation or a prediction) and ``run_epochs`` (a chunk of training epochs in one
call) are the entry points and the only functions compiled with ``cache=True``: their machine code, the
helpers inlined, is stored on disk beside this file (or in NUMBA_CACHE_DIR), so only the first process on a
machine pays for compilation. The kernels stay in this one file on purpose: numba keys the cache on the
entry points' own source file, so a helper in another file could change without the cache noticing (numba's
documented caching limit); this is why the file keeps the forward and backward passes, losses and optimizer
steps together, past the usual size. Both release Python's interpreter lock while they run (``nogil``), so
threads train in parallel (the playground's tabs, the sweeps' trials).
Codes: positions in the tuples of ``codes.py`` (tests check that they agree).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

# Activation codes
LINEAR, RELU, LEAKY_RELU, TANH, SIGMOID, ELU, SILU, SOFTPLUS, GELU = range(9)
# Loss codes
CROSS_ENTROPY, BCE, MSE = range(3)
# Optimizer codes
SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, ADAMW = range(7)
# What run_epoch does
TRAIN, EVALUATE, PREDICT = range(3)
# hyper: the float64 hyperparameters, by index
LR, L1, L2, SLOPE, BETA1, BETA2, EPS, DECAY, MOMENTUM_RATE, ALPHA = range(10)
N_HYPER = 10

_VEC = {"reassoc", "contract", "nsz"}    # lets LLVM vectorise sums and fuse multiply-adds; keeps NaN and inf


@njit(fastmath=_VEC)
def _smooth(code, z):
    """f(z) for the activations that need exp, tanh or erf (scalar: no vector libm to call)."""
    one = np.float32(1)
    if code == TANH:
        return math.tanh(z)
    if code == SIGMOID:
        return one / (one + math.exp(-z))
    if code == ELU:
        return z if z > 0 else math.expm1(z)
    if code == SILU:
        return z / (one + math.exp(-z))
    if code == SOFTPLUS:                                  # torch: beta 1, threshold 20
        return z if z > 20 else math.log1p(math.exp(z))
    return np.float32(0.5) * z * (one + math.erf(z * np.float32(0.7071067811865476)))    # GELU, x Phi(x)


@njit(fastmath=_VEC)
def _smooth_grad(code, z, a):
    """f'(z), given a = f(z), for the activations of ``_smooth``."""
    one = np.float32(1)
    if code == TANH:
        return one - a * a
    if code == SIGMOID:
        return (one - a) * a
    if code == ELU:
        return one if z > 0 else a + one
    if code == SILU:
        s = one / (one + math.exp(-z))
        return s * (one + z * (one - s))
    if code == SOFTPLUS:
        return one if z > 20 else one / (one + math.exp(-z))
    cdf = np.float32(0.5) * (one + math.erf(z * np.float32(0.7071067811865476)))
    return cdf + z * np.float32(0.3989422804014327) * math.exp(np.float32(-0.5) * z * z)


@njit(fastmath=_VEC)
def _activate(code, slope, z, a, b):
    """a[:b] = f(z[:b]) for one row."""
    if code == RELU:
        for i in range(b):
            a[i] = z[i] if z[i] > 0 else np.float32(0)
    elif code == LEAKY_RELU:
        for i in range(b):
            a[i] = z[i] if z[i] > 0 else z[i] * slope
    elif code == LINEAR:
        for i in range(b):
            a[i] = z[i]
    else:
        for i in range(b):
            a[i] = _smooth(code, z[i])


@njit(fastmath=_VEC)
def _activation_grad(code, slope, z, a, d, b):
    """d[:b] *= f'(z[:b]) for one row (a = f(z))."""
    if code == RELU:
        for i in range(b):
            d[i] = d[i] if a[i] > 0 else np.float32(0)
    elif code == LEAKY_RELU:
        for i in range(b):
            d[i] = d[i] if z[i] > 0 else d[i] * slope
    elif code != LINEAR:
        for i in range(b):
            d[i] = d[i] * _smooth_grad(code, z[i], a[i])


@njit(fastmath=_VEC)
def _affine(W, bias, x, z, b):
    """z[:, :b] = W x[:, :b] + bias.  W (n_out, n_in); four inputs per pass, so each row of z is read and
    written n_in / 4 times instead of n_in times."""
    n_out, n_in = W.shape
    for j in range(n_out):
        zj = z[j]
        for i in range(b):
            zj[i] = bias[j]
        k = 0
        while k + 4 <= n_in:
            w0, w1, w2, w3 = W[j, k], W[j, k + 1], W[j, k + 2], W[j, k + 3]
            x0, x1, x2, x3 = x[k], x[k + 1], x[k + 2], x[k + 3]
            for i in range(b):
                zj[i] += w0 * x0[i] + w1 * x1[i] + w2 * x2[i] + w3 * x3[i]
            k += 4
        while k < n_in:
            w, xk = W[j, k], x[k]
            for i in range(b):
                zj[i] += w * xk[i]
            k += 1


@njit(fastmath=_VEC)
def forward(theta, sizes, acts, slope, x, b, Z, A):
    """Every layer's Z = W a_in + bias and A = act(Z), for the first b samples of ``x`` (d, >= b)."""
    p = 0       # the layer's offset in theta
    o = 0       # the layer's offset in Z and A
    for l in range(len(sizes) - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        W = theta[p:p + n_out * n_in].reshape((n_out, n_in))
        bias = theta[p + n_out * n_in:p + n_out * n_in + n_out]
        a_in = x if l == 0 else A[o - n_in * b:o].reshape((n_in, b))
        z = Z[o:o + n_out * b].reshape((n_out, b))
        a = A[o:o + n_out * b].reshape((n_out, b))
        _affine(W, bias, a_in, z, b)
        for j in range(n_out):
            _activate(acts[l], slope, z[j], a[j], b)
        p += n_out * n_in + n_out
        o += n_out * b


_EXACT = {"contract"}          # fused multiply-adds only: range reductions must not be reassociated


@njit(fastmath=_EXACT)
def _exp_nonpositive(x, e, bits, b):
    """e[:b] = exp(x[:b]) for x <= 0, in a form LLVM vectorises (libm's expf is a scalar call).

    Cephes' expf: k = floor(x log2(e) + 1/2), r = x - k ln 2 (ln 2 in two parts), exp(r) by a degree-7 polynomial
    on |r| <= ln2 / 2, times 2^k built from its float32 bits ((k + 127) << 23). Within 2 ulp; x < -87 gives
    exp(-87) ~ 2e-38 instead of a denormal.
    """
    one = np.float32(1)
    for i in range(b):
        v = max(x[i], np.float32(-87.0))
        k = np.floor(v * np.float32(1.44269504088896341) + np.float32(0.5))
        r = v - k * np.float32(0.693359375)
        r = r - k * np.float32(-2.12194440e-4)
        p = np.float32(1.9875691500e-4) * r + np.float32(1.3981999507e-3)
        p = p * r + np.float32(8.3334519073e-3)
        p = p * r + np.float32(4.1665795894e-2)
        p = p * r + np.float32(1.6666665459e-1)
        p = p * r + np.float32(5.0000001201e-1)
        e[i] = p * (r * r) + r + one
        bits[i] = (np.int32(k) + np.int32(127)) << np.int32(23)
    scale = bits.view(np.float32)
    for i in range(b):
        e[i] = e[i] * scale[i]


@njit(fastmath=_EXACT)
def _log1p_unit(e):
    """log(1 + e) for e in [0, 1]: 2 atanh(s), s = e / (2 + e) <= 1/3, by its series to s^13 (within 2 ulp)."""
    s = e / (np.float32(2) + e)
    s2 = s * s
    q = np.float32(1 / 13)
    for c in (1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3, 1.0):
        q = q * s2 + np.float32(c)
    return np.float32(2) * s * q


@njit(fastmath=_VEC)
def _sum64(a, b):
    total = 0.0
    for i in range(b):
        total += a[i]
    return total


@njit(fastmath=_EXACT)
def _two_class_cross_entropy(out, labels, b, dout):
    """``loss_and_grad`` for cross-entropy on two logits, vectorised: with u = z_other - z_label,
    loss = softplus(u) = max(u, 0) + log1p(exp(-|u|)), d z_other = -d z_label = sigmoid(u) / b."""
    u, e, bits = np.empty(b, np.float32), np.empty(b, np.float32), np.empty(b, np.int32)
    correct = 0
    for i in range(b):
        d = out[1, i] - out[0, i]
        u[i] = d if labels[i] == 0 else -d
        e[i] = -abs(u[i])
        correct += 1 if (d > 0) == (labels[i] == 1) else 0        # argmax picks class 0 on a tie
    _exp_nonpositive(e, e, bits, b)
    grad = dout.shape[0] > 0
    inv_b, one = np.float32(1.0 / b), np.float32(1)
    for i in range(b):
        if grad:
            p = (one if u[i] >= 0 else e[i]) / (one + e[i])       # sigmoid(u)
            g = p * inv_b
            dout[0, i] = -g if labels[i] == 0 else g
            dout[1, i] = g if labels[i] == 0 else -g
        u[i] = max(u[i], np.float32(0)) + _log1p_unit(e[i])
    return _sum64(u, b), correct


@njit
def loss_and_grad(kind, classify, out, labels, targets, b, dout):
    """Sum over the batch of the loss, and the number of correct predictions, from the outputs ``out``
    (K, b). With ``dout`` (K, b) non-empty, also its gradient: d(mean loss)/d out.

    cross-entropy: logsumexp(z) - z_y, gradient (softmax(z) - onehot(y)) / b;
    bce: (1 - t) z - log sigmoid(z), gradient (sigmoid(z) - t) / b;
    mse: sum_c (z_c - t_c)^2 / K, gradient 2 (z - t) / (b K).
    ``labels`` (b,) class indices; ``targets`` (K, b) float targets (bce, mse). One exp per non-maximal logit
    and one log1p per sample: the largest logit's exp(0) = 1 is not computed. Two logits (the seed's case) take
    the vectorised ``_two_class_cross_entropy``.
    """
    K = out.shape[0]
    if kind == CROSS_ENTROPY and K == 2:
        return _two_class_cross_entropy(out, labels, b, dout)
    grad = dout.shape[0] > 0
    total = 0.0
    correct = 0
    one, zero = np.float32(1), np.float32(0)
    inv_b = np.float32(1.0 / b)
    for i in range(b):
        if kind == CROSS_ENTROPY:
            m = out[0, i]
            best = 0
            for c in range(1, K):
                if out[c, i] > m:
                    m, best = out[c, i], c
            rest = zero                              # sum of exp(z_c - m) over c != best
            for c in range(K):
                if c != best:
                    e = math.exp(out[c, i] - m)
                    rest += e
                    if grad:
                        dout[c, i] = e
            total += m + math.log1p(rest) - out[labels[i], i]
            if grad:
                inv_s = one / (one + rest)
                for c in range(K):
                    p = inv_s if c == best else dout[c, i] * inv_s
                    dout[c, i] = (p - one if c == labels[i] else p) * inv_b
        elif kind == BCE:
            z, t = out[0, i], targets[0, i]
            e = math.exp(-abs(z))                    # sigmoid(z) = 1/(1+e) for z >= 0, e/(1+e) below
            total += (one - t) * z - min(z, zero) + math.log1p(e)
            best = 1 if z > 0 else 0
            if grad:
                s = one / (one + e) if z >= 0 else e / (one + e)
                dout[0, i] = (s - t) * inv_b
        else:
            scale = np.float32(2.0 / (b * K))
            best = 1 if out[0, i] > 0 else 0         # one output: > 0 means class 1; else the argmax
            for c in range(K):
                e = out[c, i] - targets[c, i]
                total += e * e / K
                if grad:
                    dout[c, i] = e * scale
            if K > 1:
                best = 0
                for c in range(1, K):
                    if out[c, i] > out[best, i]:
                        best = c
        if classify and best == labels[i]:
            correct += 1
    return total, correct


@njit(fastmath=_VEC)
def _param_grad(dz, a, gW, gb, b):
    """gb[j] = sum_i dz[j, i];  gW[j, k] = sum_i dz[j, i] a[k, i]  (four inputs per pass over dz[j])."""
    n_out, n_in = gW.shape
    for j in range(n_out):
        dj = dz[j]
        s = np.float32(0)
        for i in range(b):
            s += dj[i]
        gb[j] = s
        k = 0
        while k + 4 <= n_in:
            a0, a1, a2, a3 = a[k], a[k + 1], a[k + 2], a[k + 3]
            s0 = s1 = s2 = s3 = np.float32(0)
            for i in range(b):
                v = dj[i]
                s0 += v * a0[i]
                s1 += v * a1[i]
                s2 += v * a2[i]
                s3 += v * a3[i]
            gW[j, k], gW[j, k + 1], gW[j, k + 2], gW[j, k + 3] = s0, s1, s2, s3
            k += 4
        while k < n_in:
            ak = a[k]
            s = np.float32(0)
            for i in range(b):
                s += dj[i] * ak[i]
            gW[j, k] = s
            k += 1


@njit(fastmath=_VEC)
def _input_grad(W, dz, d_in, b):
    """d_in[k, i] = sum_j W[j, k] dz[j, i]  (four outputs per pass over d_in[k])."""
    n_out, n_in = W.shape
    for k in range(n_in):
        row = d_in[k]
        for i in range(b):
            row[i] = 0
        j = 0
        while j + 4 <= n_out:
            w0, w1, w2, w3 = W[j, k], W[j + 1, k], W[j + 2, k], W[j + 3, k]
            d0, d1, d2, d3 = dz[j], dz[j + 1], dz[j + 2], dz[j + 3]
            for i in range(b):
                row[i] += w0 * d0[i] + w1 * d1[i] + w2 * d2[i] + w3 * d3[i]
            j += 4
        while j < n_out:
            w, dj = W[j, k], dz[j]
            for i in range(b):
                row[i] += w * dj[i]
            j += 1


@njit(fastmath=_VEC)
def backward(theta, grad, sizes, acts, slope, x, b, Z, A, D, E):
    """Gradients of the loss with respect to every parameter, into ``grad`` (laid out as theta).

    ``D`` holds d loss / d Z of the output layer (out, b) on entry; D and E then take turns for the layers
    below: dW = dZ a_in^T, db = sum_i dZ, dA_in = W^T dZ, dZ_in = dA_in * act'(Z_in).
    """
    L = len(sizes) - 1
    p = len(theta)
    o = 0
    for l in range(L):
        o += sizes[l + 1] * b
    cur, nxt = D, E
    for l in range(L - 1, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        p -= n_out * n_in + n_out
        o -= n_out * b
        o_in = o - n_in * b                      # the layer below's block in Z and A
        W = theta[p:p + n_out * n_in].reshape((n_out, n_in))
        gW = grad[p:p + n_out * n_in].reshape((n_out, n_in))
        gb = grad[p + n_out * n_in:p + n_out * n_in + n_out]
        dz = cur[:n_out * b].reshape((n_out, b))
        a_in = x if l == 0 else A[o_in:o].reshape((n_in, b))
        _param_grad(dz, a_in, gW, gb, b)
        if l > 0:
            d_in = nxt[:n_in * b].reshape((n_in, b))
            _input_grad(W, dz, d_in, b)
            z_in = Z[o_in:o].reshape((n_in, b))
            for k in range(n_in):
                _activation_grad(acts[l - 1], slope, z_in[k], a_in[k], d_in[k], b)
            cur, nxt = nxt, cur


@njit
def add_penalty_grad(theta, grad, sizes, l1, l2):
    """grad += l1 sign(W) + l2 W on the weight matrices (biases are not penalised)."""
    p = 0
    f1, f2 = np.float32(l1), np.float32(l2)
    for l in range(len(sizes) - 1):
        n = sizes[l] * sizes[l + 1]
        for q in range(p, p + n):
            w = theta[q]
            sign = np.float32(1) if w > 0 else (np.float32(-1) if w < 0 else np.float32(0))
            grad[q] += f1 * sign + f2 * w
        p += n + sizes[l + 1]


@njit
def step(opt, theta, grad, s1, s2, hyper, t):
    """One optimizer step over every parameter; ``t`` is the step number (1, 2, ...).

    sgd      w += -lr g
    momentum v = g (first step), else v = mu v + g;            w += -lr v
    nesterov v as momentum;                                    w += -lr (g + mu v)
    adagrad  s += g g;                                         w += -lr g / (sqrt(s) + eps)
    rmsprop  s = alpha s + (1 - alpha) g g;                    w += -lr g / (sqrt(s) + eps)
    adam     m += (1 - b1)(g - m); v = b2 v + (1 - b2) g g;
             w += -(lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    adamw    w *= 1 - lr decay, then the adam step
    """
    lr = hyper[LR]
    neg_lr = np.float32(-lr)
    one = np.float32(1)
    if opt == SGD:
        for q in range(len(theta)):
            theta[q] = theta[q] + neg_lr * grad[q]
    elif opt == MOMENTUM or opt == NESTEROV:
        mu = np.float32(hyper[MOMENTUM_RATE])
        for q in range(len(theta)):
            v = grad[q] if t == 1 else s1[q] * mu + grad[q]
            s1[q] = v
            theta[q] = theta[q] + neg_lr * (v if opt == MOMENTUM else grad[q] + mu * v)
    elif opt == ADAGRAD:
        eps = np.float32(hyper[EPS])
        for q in range(len(theta)):
            g = grad[q]
            s1[q] = s1[q] + one * g * g
            theta[q] = theta[q] + neg_lr * g / (math.sqrt(s1[q]) + eps)
    elif opt == RMSPROP:
        alpha, rest, eps = np.float32(hyper[ALPHA]), np.float32(1 - hyper[ALPHA]), np.float32(hyper[EPS])
        for q in range(len(theta)):
            g = grad[q]
            s1[q] = s1[q] * alpha + rest * g * g
            theta[q] = theta[q] + neg_lr * g / (math.sqrt(s1[q]) + eps)
    else:   # adam, adamw
        b1, b2 = hyper[BETA1], hyper[BETA2]
        w1, b2f, w2 = np.float32(1 - b1), np.float32(b2), np.float32(1 - b2)
        eps = np.float32(hyper[EPS])
        step_t = np.float64(t)                          # torch's step count is a float
        neg_step = np.float32(-(lr / (1 - b1 ** step_t)))
        bc2_sqrt = np.float32((1 - b2 ** step_t) ** 0.5)
        shrink = np.float32(1 - lr * hyper[DECAY])
        for q in range(len(theta)):
            if opt == ADAMW:
                theta[q] = theta[q] * shrink
            g = grad[q]
            m = s1[q] + w1 * (g - s1[q])
            v = s2[q] * b2f + w2 * g * g
            s1[q], s2[q] = m, v
            theta[q] = theta[q] + neg_step * m / (math.sqrt(v) / bc2_sqrt + eps)


@njit
def randperm(raw, perm):
    """torch.randperm(n) on the CPU from its generator's next n - 1 raw 32-bit outputs ``raw``.

    perm = 0..n-1; for i in 0..n-2: swap perm[i] and perm[i + raw[i] % (n - i)].
    """
    n = len(perm)
    for i in range(n):
        perm[i] = i
    for i in range(n - 1):
        z = i + np.int64(raw[i] % np.uint64(n - i))
        perm[i], perm[z] = perm[z], perm[i]


@njit
def _output_block(sizes, b):
    """Where the output layer's (K, b) block starts in Z."""
    o = 0
    for l in range(1, len(sizes) - 1):
        o += sizes[l] * b
    return o


@njit
def _gather(x, labels, targets, idx, xb, lb, tb):
    """The batch ``idx``: xb[:, i] = x[:, idx[i]], and likewise its labels and targets."""
    for k in range(x.shape[0]):
        for i in range(len(idx)):
            xb[k, i] = x[k, idx[i]]
    for i in range(len(idx)):
        lb[i] = labels[idx[i]]
    for c in range(targets.shape[0]):
        for i in range(len(idx)):
            tb[c, i] = targets[c, idx[i]]


@njit(cache=True, nogil=True)
def run_epoch(mode, theta, grad, s1, s2, sizes, acts, hyper, codes, x, labels, targets, raw, perm, batch,
              work, out, outputs):
    """The one compiled entry point. out = [loss sum, correct count] over the samples of ``x`` (d, n).

    TRAIN: one epoch. The batches are the whole set or, when batch < n, consecutive chunks of the permutation
    that ``randperm(raw)`` makes; for each: forward, loss, backward, penalty, optimizer step.
    EVALUATE: forward and loss only, over the whole set in chunks as wide as the workspace.
    PREDICT: forward only; the outputs go to ``outputs`` (K, n).
    codes = [loss, optimizer, classify, steps taken so far]; work = (Z, A, D, E, batch x, labels, targets).
    """
    loss_kind, opt, classify = codes[0], codes[1], codes[2] == 1
    train = mode == TRAIN
    n, K = x.shape[1], sizes[-1]
    slope = np.float32(hyper[SLOPE])
    Z, A, D, E, xb, lb, tb = work
    width = batch if train else xb.shape[1]
    if train and batch < n:
        randperm(raw, perm)
    total, correct = 0.0, 0
    for start in range(0, n, width):
        b = min(width, n - start)
        # 1) the batch: all of x, or its columns perm[start:start+b] (training) or start:start+b
        if b == n:
            xs, ls, ts = x, labels, targets
        else:
            _gather(x, labels, targets, perm[start:start + b] if train else np.arange(start, start + b),
                    xb, lb, tb)
            xs, ls, ts = xb, lb, tb
        # 2) forward
        forward(theta, sizes, acts, slope, xs, b, Z, A)
        o = _output_block(sizes, b)
        if mode == PREDICT:
            for c in range(K):                  # element by element: slice assignment compiles slowly
                for i in range(b):
                    outputs[c, start + i] = Z[o + c * b + i]
            continue
        # 3) loss (and its gradient when training)
        dout = D[:K * b].reshape((K, b)) if train else D[:0].reshape((0, 0))
        loss, right = loss_and_grad(loss_kind, classify, Z[o:o + K * b].reshape((K, b)), ls, ts, b, dout)
        total += loss
        correct += right
        if train:
            # 4) backward;  5) penalty;  6) optimizer step
            backward(theta, grad, sizes, acts, slope, xs, b, Z, A, D, E)
            if hyper[L1] > 0 or hyper[L2] > 0:
                add_penalty_grad(theta, grad, sizes, hyper[L1], hyper[L2])
            codes[3] += 1
            step(opt, theta, grad, s1, s2, hyper, codes[3])
    out[0] = total
    out[1] = correct


@njit(cache=True, nogil=True)
def run_epochs(n_epochs, theta, grad, s1, s2, sizes, acts, hyper, codes, x, labels, targets, raw, perm, batch,
               work, out, sums):
    """Up to ``n_epochs`` TRAIN epochs of ``run_epoch`` in one call, every epoch in the batch order ``raw``
    gives (the whole set, or a stored order): sums[e] = [loss sum, correct count] of epoch e. Returns the epochs
    run; stops after the first non-finite loss. One call for a chunk of epochs spares the per-epoch dispatch
    and Python, and holds Python's lock once per chunk (threads training other models run meanwhile)."""
    no_outputs = np.zeros((0, 0), np.float32)
    for e in range(n_epochs):
        run_epoch(TRAIN, theta, grad, s1, s2, sizes, acts, hyper, codes, x, labels, targets, raw, perm, batch,
                  work, out, no_outputs)
        sums[e, 0] = out[0]
        sums[e, 1] = out[1]
        if not np.isfinite(out[0]):
            return e + 1
    return n_epochs
