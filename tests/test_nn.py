import numpy as np
import pytest
import torch
from torch import nn

from nnlab.config import PRESETS, ModelConfig
from nnlab.nn import ACTIVATIONS, INITS, build_mlp, count_parameters


def test_the_seed_model_has_330_parameters_in_five_hidden_layers():
    model = build_mlp(PRESETS["seed-circle"].model)
    linears = model.linear_layers()
    assert [(l.in_features, l.out_features) for l in linears] == [(2, 8)] + [(8, 8)] * 4 + [(8, 2)]
    assert sum(isinstance(m, nn.ReLU) for m in model) == 5
    assert count_parameters(model) == 330    # 24 + 4 * 72 + 18


def test_same_seed_same_initial_weights_as_plain_pytorch():
    model = build_mlp(PRESETS["seed-circle"].model, seed=0)
    torch.manual_seed(0)
    layers = [nn.Linear(2, 8), nn.ReLU()]
    for _ in range(4):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    plain = nn.Sequential(*layers, nn.Linear(8, 2))
    for a, b in zip(model.parameters(), plain.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_builds_and_runs(name):
    model = build_mlp(ModelConfig(hidden_sizes=(4,), activation=name), seed=0)
    out = model(torch.randn(5, 2))
    assert out.shape == (5, 2) and torch.isfinite(out).all()


def test_registry_has_the_required_activations():
    assert {"relu", "leaky_relu", "tanh", "sigmoid", "linear", "gelu", "silu", "elu"} <= set(ACTIVATIONS)


def test_he_init_has_the_expected_spread():
    model = build_mlp(ModelConfig(input_size=400, hidden_sizes=(400,), init="he"), seed=0)
    w = model.linear_layers()[0].weight
    assert w.std().item() == pytest.approx((2 / 400) ** 0.5, rel=0.03)
    assert model.linear_layers()[0].bias.abs().max() == 0


@pytest.mark.parametrize("scheme", sorted(INITS))
def test_every_init_scheme_runs(scheme):
    model = build_mlp(ModelConfig(hidden_sizes=(6, 6), init=scheme), seed=0)
    assert torch.isfinite(model(torch.randn(3, 2))).all()


def test_dropout_and_batch_norm_layers_are_inserted():
    model = build_mlp(ModelConfig(hidden_sizes=(8, 8), dropout=0.2, batch_norm=True))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]


def test_no_hidden_layer_is_a_linear_model():
    model = build_mlp(ModelConfig(hidden_sizes=(), output_size=1))
    assert count_parameters(model) == 3


def test_build_mlp_takes_seeds_up_to_the_bound_numpy_integers_too():
    from nnlab._validation import MAX_SEED, InvalidArgument
    a = build_mlp(ModelConfig(hidden_sizes=(3,)), seed=np.int64(7))
    b = build_mlp(ModelConfig(hidden_sizes=(3,)), seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    build_mlp(ModelConfig(hidden_sizes=(3,)), seed=MAX_SEED)
    for bad in (MAX_SEED + 1, -1, 1.5):               # 2**32 would start the same weights as seed 0
        with pytest.raises(InvalidArgument, match="'seed' parameter of build_mlp"):
            build_mlp(ModelConfig(hidden_sizes=(3,)), seed=bad)
