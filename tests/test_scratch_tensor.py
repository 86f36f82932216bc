"""The NumPy tensor engine against PyTorch autograd in float64: every op, broadcasting, reductions, losses."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab.nn import ACTIVATIONS
from nnlab.scratch.activations import SCRATCH_ACTIVATIONS
from nnlab.scratch.gradcheck import relative_error
from nnlab.scratch.tensor import Tensor, cross_entropy, unbroadcast

TOL = 1e-10


def compare(ours_fn, torch_fn, *arrays, seed=0):
    """Run both on the same float64 inputs with one random upstream gradient; return the worst relative error."""
    ours_in = [Tensor(a.copy()) for a in arrays]
    theirs_in = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, tout = ours_fn(*ours_in), torch_fn(*theirs_in)
    upstream = np.random.default_rng(seed).normal(size=out.shape)
    out.backward(upstream)
    tout.backward(torch.from_numpy(upstream))
    errors = [relative_error(out.data, tout.detach().numpy())]
    errors += [relative_error(a.grad, t.grad.numpy()) for a, t in zip(ours_in, theirs_in)]
    return max(errors)


BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)),
                    ((2, 1, 4), (3, 1))]
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b}


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_broadcasting_binary_op_matches_torch(name, shapes):
    rng = np.random.default_rng(0)
    a = rng.normal(size=shapes[0])
    b = rng.uniform(0.5, 2.0, size=shapes[1]) * rng.choice([-1, 1], size=shapes[1])   # |b| >= 0.5 for div
    assert compare(BINARY[name], BINARY[name], a, b) <= TOL


@pytest.mark.parametrize("name", ["radd", "rsub", "rmul", "rdiv", "array-rmul"])
def test_constant_on_the_left_matches_torch(name):
    c = np.array([1.5, -2.0, 0.5])
    fns = {"radd": lambda a: 2.0 + a, "rsub": lambda a: 2.0 - a, "rmul": lambda a: 2.0 * a,
           "rdiv": lambda a: 2.0 / a, "array-rmul": lambda a: c * a}
    theirs = {**fns, "array-rmul": lambda a: torch.from_numpy(c) * a}
    a = np.random.default_rng(1).uniform(0.5, 2.0, size=(2, 3))
    assert compare(fns[name], theirs[name], a) <= TOL


UNARY = {
    "neg": (lambda a: -a, lambda a: -a, lambda rng, s: rng.normal(size=s)),
    "exp": (Tensor.exp, torch.exp, lambda rng, s: rng.normal(size=s)),
    "log": (Tensor.log, torch.log, lambda rng, s: rng.uniform(0.01, 5.0, size=s)),
    "pow3": (lambda a: a ** 3, lambda a: a ** 3, lambda rng, s: rng.normal(size=s)),
    "pow-0.5": (lambda a: a ** -0.5, lambda a: a ** -0.5, lambda rng, s: rng.uniform(0.1, 5.0, size=s)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_matches_torch(name):
    ours, theirs, draw = UNARY[name]
    assert compare(ours, theirs, draw(np.random.default_rng(2), (4, 5))) <= TOL


def test_every_registry_activation_has_a_closed_form_here():
    assert set(SCRATCH_ACTIVATIONS) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_the_torch_module(name):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 3, size=200)
    x = np.concatenate([x, [-45.0, -25.0, 19.5, 20.5, 25.0, 45.0]])   # tails, and both sides of Softplus' 20
    x = np.where(np.abs(x) < 1e-3, 0.5, x)                             # away from the kinks at 0
    module = ACTIVATIONS[name].module().double()
    assert compare(lambda t: t.activation(name), module, x) <= TOL


def test_relu_has_derivative_zero_at_the_kink_as_torch():
    x = Tensor(np.array([0.0, -1.0, 2.0]))
    x.relu().backward(np.ones(3))
    assert x.grad.tolist() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
                                    ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5))], ids=str)
def test_matmul_matches_torch(shapes):
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert compare(lambda x, y: x @ y, lambda x, y: x @ y, a, b) <= TOL


def test_matmul_refuses_vectors():
    with pytest.raises(ValueError, match="at least 2 axes"):
        Tensor(np.ones(3)) @ Tensor(np.ones((3, 2)))


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_reduction_matches_torch(reduction, axis, keepdims):
    x = np.random.default_rng(5).normal(size=(2, 3, 4))
    torch_axis = tuple(range(3)) if axis is None else axis

    def ours(t):
        return getattr(t, reduction)(axis=axis, keepdims=keepdims)

    def theirs(t):
        return getattr(t, reduction)(dim=torch_axis, keepdim=keepdims)
    assert compare(ours, theirs, x) <= TOL


def test_reshape_and_transpose_match_torch():
    x = np.random.default_rng(6).normal(size=(3, 4))
    assert compare(lambda t: t.reshape(2, 6), lambda t: t.reshape(2, 6), x) <= TOL
    assert compare(lambda t: t.T * 2.0, lambda t: t.T * 2.0, x) <= TOL


def test_log_softmax_matches_torch():
    x = np.random.default_rng(7).normal(0, 5, size=(6, 4))
    assert compare(lambda t: t.log_softmax(axis=1), lambda t: torch.log_softmax(t, 1), x) <= TOL
    assert compare(lambda t: t.log_softmax(axis=0), lambda t: torch.log_softmax(t, 0), x) <= TOL


def test_cross_entropy_matches_torch():
    rng = np.random.default_rng(8)
    logits, y = rng.normal(0, 3, size=(10, 4)), rng.integers(0, 4, size=10)
    assert compare(lambda t: cross_entropy(t, y), lambda t: F.cross_entropy(t, torch.from_numpy(y)),
                   logits) <= TOL


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor(np.array([[1000.0, 0.0], [0.0, -1000.0]]))
    loss = cross_entropy(logits, np.array([1, 0]))
    loss.backward()
    assert loss.data == pytest.approx(500.0)                   # (1000 + 0) / 2: no inf, no nan
    assert np.allclose(logits.grad, [[0.5, -0.5], [0.0, 0.0]])


def test_unbroadcast_sums_stretched_axes():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (3, 1)).tolist() == np.full((3, 1), 8.0).tolist()
    assert unbroadcast(g, (4,)).tolist() == [6.0] * 4
    assert unbroadcast(g, (2, 3, 4)) is g


def test_reused_tensor_receives_every_contribution():
    x = Tensor(np.array([1.0, -2.0, 3.0]))
    (x * x + x).sum().backward()                               # d/dx (x^2 + x) = 2x + 1
    assert x.grad.tolist() == [3.0, -3.0, 7.0]


def test_backward_twice_after_zero_grad_gives_the_same_gradients():
    rng = np.random.default_rng(9)
    w, x = Tensor(rng.normal(size=(3, 2))), Tensor(rng.normal(size=(4, 3)))
    h = (x @ w).tanh()
    loss = (h * h).mean() + h.sum()
    loss.backward()
    first = w.grad.copy(), x.grad.copy()
    loss.zero_grad()
    assert not w.grad.any()
    loss.backward()
    assert np.array_equal(w.grad, first[0]) and np.array_equal(x.grad, first[1])


def test_backward_of_many_values_needs_an_upstream_gradient():
    with pytest.raises(ValueError, match="grad="):
        (Tensor(np.ones(3)) * 2.0).backward()
