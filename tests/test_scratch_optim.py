"""The from-scratch optimizers against torch.optim: same parameters, same gradients, 200 steps, same path."""
import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.scratch.gradcheck import relative_error
from nnlab.scratch.optim import SCRATCH_OPTIMIZERS, SGD, Adam, make_scratch_optimizer
from nnlab.training.optimizers import OPTIMIZERS

STEPS = 200
TOL = 1e-10
SHAPES = [(4, 3), (3,), (2, 2, 2)]
LR = {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01,
      "adamw": 0.01}

# (registry name, overrides of its defaults): every default, then the options away from them
CASES = [(name, {}) for name in sorted(SCRATCH_OPTIMIZERS)] + [
    ("sgd", {"weight_decay": 0.1}),
    ("momentum", {"dampening": 0.3, "weight_decay": 0.05}),
    ("nesterov", {"weight_decay": 0.05}),
    ("adagrad", {"lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1}),
    ("rmsprop", {"alpha": 0.9, "weight_decay": 0.05}),
    ("rmsprop", {"momentum": 0.5, "centered": True}),
    ("adam", {"weight_decay": 0.05, "amsgrad": True}),
    ("adam", {"betas": (0.8, 0.99), "eps": 1e-6}),
    ("adamw", {"weight_decay": 0.1, "amsgrad": True}),
]


def gradient(params: list[np.ndarray], k: int, noise: list[list[np.ndarray]]) -> list[np.ndarray]:
    """A gradient that depends on where the parameters are (a tilted bowl with a wobble) plus step k's noise.

    Both optimizers get it from their own current parameters, so any drift between them would feed back.
    """
    return [0.5 * p + 0.3 * np.sin(3.0 * p) + noise[k][i] for i, p in enumerate(params)]


def run_pair(name: str, overrides: dict, seed: int = 0) -> tuple[float, float]:
    """Both optimizers from the same start; (worst relative gap over all steps, how far ours moved)."""
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s) for s in SHAPES]
    noise = [[rng.normal(0, 0.5, size=s) for s in SHAPES] for _ in range(STEPS)]
    ours = [p.copy() for p in start]
    opt = make_scratch_optimizer(name, ours, LR[name], **overrides)
    theirs = [torch.tensor(p, requires_grad=True) for p in start]       # float64, like the arrays
    spec = OPTIMIZERS[name]                                              # torch.optim class + nnlab defaults
    torch_opt = getattr(torch.optim, spec.torch_class)(theirs, lr=LR[name], **{**spec.defaults, **overrides})
    worst = 0.0
    for k in range(STEPS):
        opt.step(gradient(ours, k, noise))
        for t, g in zip(theirs, gradient([t.detach().numpy() for t in theirs], k, noise)):
            t.grad = torch.from_numpy(g)
        torch_opt.step()
        worst = max(worst, *(relative_error(a, t.detach().numpy()) for a, t in zip(ours, theirs)))
    moved = max(relative_error(a, s) for a, s in zip(ours, start))
    return worst, moved


@pytest.mark.parametrize("name, overrides", CASES, ids=[f"{n}-{o}" if o else n for n, o in CASES])
def test_trajectory_matches_torch_optim_for_200_steps(name, overrides):
    worst, moved = run_pair(name, overrides)
    assert worst <= TOL          # at every one of the 200 steps
    assert moved > 1e-2          # and the parameters really travelled


def test_registry_has_the_names_of_nnlab_optimizers():
    assert list(SCRATCH_OPTIMIZERS) == list(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(SCRATCH_OPTIMIZERS))
def test_defaults_are_those_of_the_torch_registry(name):
    ours = make_scratch_optimizer(name, [np.zeros(2)], 0.01)
    group = OPTIMIZERS[name].make([torch.zeros(2, requires_grad=True)], 0.01).param_groups[0]
    names = ["momentum", "dampening", "nesterov", "weight_decay", "eps", "betas", "alpha", "centered", "amsgrad",
             "lr_decay", "initial_accumulator_value"]
    compared = [key for key in names if hasattr(ours, key)]
    assert compared
    for key in compared:
        assert getattr(ours, key) == (tuple(group[key]) if key == "betas" else group[key]), key


def test_parameters_are_updated_in_place():
    p = np.ones(3)
    SGD([p], lr=0.5).step([np.ones(3)])
    assert p.tolist() == [0.5, 0.5, 0.5]


def test_first_momentum_step_is_a_plain_step_as_in_torch():
    # torch's buffer starts at b = g (not 0, not (1 - dampening) g): step 1 is p - lr g
    p = np.zeros(2)
    SGD([p], lr=0.1, momentum=0.9, dampening=0.5).step([np.array([1.0, -2.0])])
    assert p.tolist() == [-0.1, 0.2]


def test_bad_hyperparameters_are_refused_with_their_names():
    with pytest.raises(InvalidArgument, match="'lr' parameter of Adam"):
        Adam([np.zeros(2)], lr=-1.0)
    with pytest.raises(InvalidArgument, match="nesterov"):
        SGD([np.zeros(2)], lr=0.1, nesterov=True)
    with pytest.raises(InvalidArgument, match="'optimizer' parameter of make_scratch_optimizer must be one of"):
        make_scratch_optimizer("adamax", [np.zeros(2)], 0.1)


def test_params_must_be_float64_arrays():
    with pytest.raises(InvalidArgument, match="float64"):
        SGD([np.zeros(2, dtype=np.float32)], lr=0.1)


def test_one_gradient_per_parameter():
    with pytest.raises(InvalidArgument, match="one gradient per parameter"):
        SGD([np.zeros(2), np.zeros(3)], lr=0.1).step([np.zeros(2)])
