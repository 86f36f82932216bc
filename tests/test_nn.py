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


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_layer_outputs_in_numpy_equal_the_torch_models_own_forward_pass(activation):
    """nnlab.nn.forward.layer_outputs (what the playground draws) against the model's modules, layer by layer."""
    import torch

    from nnlab.nn.forward import layer_outputs
    model = build_mlp(ModelConfig(input_size=3, hidden_sizes=(8, 5), activation=activation, output_size=2), seed=4)
    X = torch.randn(200, 3, generator=torch.Generator().manual_seed(1)) * 3
    expected, a = [], X
    with torch.no_grad():
        for module in model:
            a = module(a)
            if not isinstance(module, torch.nn.Linear) or module is list(model)[-1]:
                expected.append(a.T.numpy())
    theta = torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy()
    got = layer_outputs(theta, (3, 8, 5, 2), [activation, activation, "linear"], X.numpy())
    assert [g.shape for g in got] == [e.shape for e in expected] == [(8, 200), (5, 200), (2, 200)]
    for g, e in zip(got, expected):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_the_playgrounds_unit_maps_are_the_fast_engines_outputs_in_classic_mode():
    from nnlab.playground.maps import unit_maps
    from nnlab.training.engines.fast_model import FastMLP
    net = FastMLP.from_config(ModelConfig(input_size=2, hidden_sizes=(4, 2), activation="tanh", output_size=1,
                                          init="playground"), seed=3)
    X = np.random.default_rng(0).uniform(-6, 6, (300, 2)).astype(np.float32)
    maps = unit_maps(net, X)
    np.testing.assert_allclose(maps[-1][0], net.forward(X)[:, 0], rtol=1e-5, atol=1e-6)


def test_layer_outputs_refuses_parameters_that_do_not_fit_the_sizes():
    from nnlab.nn.forward import layer_outputs
    with pytest.raises(ValueError, match="do not fit"):
        layer_outputs(np.zeros(10), (2, 3, 1), ["tanh", "linear"], np.zeros((4, 2)))


@pytest.mark.parametrize("init", ["pytorch", "playground"])
def test_build_model_is_build_mlp_or_the_same_network_as_a_fast_mlp(init):
    from nnlab.nn.build import build_model, fast_layout
    config = ModelConfig(input_size=3, hidden_sizes=(5, 4), activation="tanh", output_size=2, init=init)
    torch_model, fast = build_model(config, 8), build_model(config, 8, fast=True)
    reference = build_mlp(config, seed=8)
    flat = nn.utils.parameters_to_vector(reference.parameters()).detach().numpy()
    assert np.array_equal(nn.utils.parameters_to_vector(torch_model.parameters()).detach().numpy(), flat)
    assert np.array_equal(fast.theta, flat)
    layout = fast_layout(config, flat)                 # the layout: each layer's W and b are torch's, as views
    assert layout.sizes == (3, 5, 4, 2) and layout.activations == ("tanh", "tanh")
    for (W, b), linear in zip(layout.layers(), reference.linear_layers()):
        assert np.array_equal(W, linear.weight.detach().numpy()) and np.array_equal(b, linear.bias.detach().numpy())
        assert np.shares_memory(W, flat)


def test_build_model_takes_given_zero_or_the_playgrounds_stream_weights():
    from nnlab.data.playground_stream import playground_stream, stream_weights
    from nnlab.nn.build import build_model
    config = ModelConfig(input_size=2, hidden_sizes=(4, 2), activation="tanh", output_size=1, init="playground")
    theta = np.arange(25, dtype=np.float32) / 10
    assert np.array_equal(build_model(config, 1, fast=True, theta=theta).theta, theta)
    model = build_model(config, 1, theta=theta)
    assert np.array_equal(nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), theta)
    assert not build_model(config, 1, zero=True).linear_layers()[0].weight.any()
    _, _, stream = playground_stream("circle", 500, 0.0, 14372)
    _, _, same = playground_stream("circle", 500, 0.0, 14372)
    drawn = build_model(config, 1, fast=True, stream=stream)
    assert np.array_equal(drawn.theta, stream_weights((2, 4, 2, 1), same).astype(np.float32))
    assert stream.random() == same.random()           # the stream moved on by the draws
    zeroed = build_model(config, 1, fast=True, stream=stream, zero=True)
    stream_weights((2, 4, 2, 1), same)                # initZero still draws, as the Playground does
    assert not zeroed.theta.any() and stream.random() == same.random()
