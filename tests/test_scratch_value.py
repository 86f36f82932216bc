"""The scalar autograd engine against PyTorch autograd (float64), and the fixes over micrograd."""
import math
import sys

import numpy as np
import pytest
import torch

from nnlab.scratch.value import Value

TOL = 1e-10
N_DRAWS = 25


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def torch_scalar(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


# name -> (Value function, torch function, how inputs are drawn); all functions take two inputs
def _away_from_zero(rng):
    x = rng.uniform(0.01, 3.0)
    return x if rng.random() < 0.5 else -x


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
}
UNARY = {
    "neg": (lambda a: -a, lambda a: -a, lambda rng: rng.normal(0, 2)),
    "exp": (lambda a: a.exp(), torch.exp, lambda rng: rng.normal(0, 2)),
    "log": (lambda a: a.log(), torch.log, lambda rng: rng.uniform(0.01, 10.0)),
    "tanh": (lambda a: a.tanh(), torch.tanh, lambda rng: rng.normal(0, 2)),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid, lambda rng: rng.normal(0, 5)),
    "relu": (lambda a: a.relu(), torch.relu, _away_from_zero),
    "pow2": (lambda a: a ** 2, lambda a: a ** 2, lambda rng: rng.normal(0, 2)),
    "pow3": (lambda a: a ** 3, lambda a: a ** 3, lambda rng: rng.normal(0, 2)),
    "pow-1.5": (lambda a: a ** -1.5, lambda a: a ** -1.5, lambda rng: rng.uniform(0.1, 5.0)),
    "pow0.5": (lambda a: a ** 0.5, lambda a: a ** 0.5, lambda rng: rng.uniform(0.1, 5.0)),
    "radd": (lambda a: 2.5 + a, lambda a: 2.5 + a, lambda rng: rng.normal(0, 2)),
    "rsub": (lambda a: 2.5 - a, lambda a: 2.5 - a, lambda rng: rng.normal(0, 2)),
    "rmul": (lambda a: 2.5 * a, lambda a: 2.5 * a, lambda rng: rng.normal(0, 2)),
    "rdiv": (lambda a: 2.5 / a, lambda a: 2.5 / a, _away_from_zero),
    "div-const": (lambda a: a / 2.5, lambda a: a / 2.5, lambda rng: rng.normal(0, 2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_value_and_gradients_match_torch(name):
    ours, theirs = BINARY[name]
    rng = np.random.default_rng(0)
    for _ in range(N_DRAWS):
        x, y = rng.normal(0, 2), _away_from_zero(rng)
        a, b = Value(x), Value(y)
        out = ours(a, b)
        out.backward()
        ta, tb = torch_scalar(x), torch_scalar(y)
        tout = theirs(ta, tb)
        tout.backward()
        assert rel(out.data, tout.item()) <= TOL
        assert rel(a.grad, ta.grad.item()) <= TOL and rel(b.grad, tb.grad.item()) <= TOL


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_gradient_match_torch(name):
    ours, theirs, draw = UNARY[name]
    rng = np.random.default_rng(1)
    for _ in range(N_DRAWS):
        x = draw(rng)
        a = Value(x)
        out = ours(a)
        out.backward()
        ta = torch_scalar(x)
        tout = theirs(ta)
        tout.backward()
        assert rel(out.data, tout.item()) <= TOL
        assert rel(a.grad, ta.grad.item()) <= TOL


def test_sum_node_matches_torch_and_ignores_constants():
    rng = np.random.default_rng(2)
    xs = rng.normal(size=6)
    values = [Value(x) for x in xs]
    out = Value.sum([*values, 1.5]) * Value.sum(v * v for v in values)
    out.backward()
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    tout = (t.sum() + 1.5) * (t * t).sum()
    tout.backward()
    assert rel(out.data, tout.item()) <= TOL
    assert max(rel(v.grad, g) for v, g in zip(values, t.grad.tolist())) <= TOL


def test_composite_expression_matches_torch():
    # micrograd's test_more_ops, plus exp, log, tanh and sigmoid, every node in float64
    def build(a, b, ops):
        c = a + b
        d = a * b + b ** 3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + ops.relu(b + a)
        d = d + 3 * d + ops.relu(b - a)
        e = c - d
        f = e ** 2
        g = f / 2.0
        g = g + 10.0 / f
        h = ops.tanh(g / 100.0) + ops.sigmoid(a) * ops.exp(b / 4.0) + ops.log(f)
        return h

    class V:
        relu, tanh, sigmoid, exp, log = Value.relu, Value.tanh, Value.sigmoid, Value.exp, Value.log

    class T:
        relu, tanh, sigmoid, exp, log = torch.relu, torch.tanh, torch.sigmoid, torch.exp, torch.log

    a, b = Value(-4.0), Value(2.0)
    out = build(a, b, V)
    out.backward()
    ta, tb = torch_scalar(-4.0), torch_scalar(2.0)
    tout = build(ta, tb, T)
    tout.backward()
    assert rel(out.data, tout.item()) <= TOL
    assert rel(a.grad, ta.grad.item()) <= TOL and rel(b.grad, tb.grad.item()) <= TOL


def test_backward_through_a_100k_node_chain_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + x                      # y = 100001 x, every step reuses x
    assert sys.getrecursionlimit() < 100_000
    y.backward()
    assert x.grad == 100_001.0
    assert y.data == pytest.approx(100_001 * 0.5)


def test_reused_node_receives_every_contribution():
    a = Value(1.0)
    b = a + a                          # db/da = 2
    c = b + b                          # dc/da = 4 (the repro from micrograd's issues)
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0
    x = Value(3.0)
    (x * x).backward()                 # d(x^2)/dx = 2x
    assert x.grad == 6.0


def test_backward_twice_after_zero_grad_gives_the_same_gradients():
    a, b = Value(0.7), Value(-1.3)
    shared = (a * b).tanh()            # an interior node used three times
    out = shared * shared + shared.exp() * a
    out.backward()
    first = (a.grad, b.grad, shared.grad)
    out.zero_grad()
    assert (a.grad, b.grad, shared.grad) == (0.0, 0.0, 0.0)
    out.backward()
    assert (a.grad, b.grad, shared.grad) == first


def test_second_backward_without_zero_grad_doubles_leaves_only():
    # Leaves accumulate across passes (as in PyTorch); interior nodes start afresh each pass.
    a, b = Value(0.7), Value(-1.3)
    shared = (a * b).tanh()
    out = shared * shared + shared.exp() * a
    out.backward()
    first = (a.grad, b.grad, shared.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert shared.grad == first[2]


def test_log_of_a_non_positive_value_is_refused():
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()


def test_pow_needs_a_number_exponent():
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(3.0)


def test_sigmoid_does_not_overflow_far_out():
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(800.0).sigmoid().data == 1.0
    assert math.isclose(Value(-30.0).sigmoid().data, 1 / (1 + math.exp(30.0)), rel_tol=1e-15)


def test_repr_shows_data_and_grad():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"


def test_importing_the_engines_does_not_import_torch():
    import subprocess
    code = "import sys, nnlab.scratch; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
