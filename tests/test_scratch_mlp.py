"""The from-scratch MLPs (hand-written backward, tensor engine, scalar engine) against a float64 torch
``nnlab.nn.MLP`` with the same parameters, and against central differences."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig
from nnlab.nn import ACTIVATIONS, build_mlp
from nnlab.scratch.gradcheck import central_differences, relative_error
from nnlab.scratch.mlp import HandMLP, softmax_cross_entropy
from nnlab.scratch.scalar_nn import ScalarMLP
from nnlab.scratch.scalar_nn import cross_entropy as scalar_cross_entropy
from nnlab.scratch.tensor_mlp import TensorMLP
from nnlab.scratch.value import Value

TOL = 1e-10
H = 1e-6
FD_TOL = 1e-7


def torch_reference(activation: str, sizes=(5, 7, 6, 4), seed=0, n=11):
    """A float64 nnlab.nn.MLP, inputs, labels, and its logits, loss and parameter gradients."""
    config = ModelConfig(input_size=sizes[0], hidden_sizes=sizes[1:-1], activation=activation,
                         output_size=sizes[-1])
    model = build_mlp(config, seed=seed).double()
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
    logits = model(torch.from_numpy(X))
    loss = F.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    grads = [p.grad.numpy() for p in model.parameters()]
    return model, X, y, logits.detach().numpy(), loss.item(), grads


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_hand_mlp_logits_loss_and_gradients_match_torch(activation):
    model, X, y, logits, loss, grads = torch_reference(activation)
    net = HandMLP.from_torch(model)
    assert relative_error(net.forward(X), logits) <= TOL
    our_loss, our_grads = net.loss_and_grads(X, y)
    assert abs(our_loss - loss) / loss <= TOL
    assert [g.shape for g in our_grads] == [g.shape for g in grads]
    assert max(relative_error(a, b) for a, b in zip(our_grads, grads)) <= TOL


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_tensor_mlp_logits_loss_and_gradients_match_torch(activation):
    model, X, y, logits, loss, grads = torch_reference(activation)
    net = TensorMLP.from_torch(model)
    assert relative_error(net(X).data, logits) <= TOL
    our_loss, our_grads = net.loss_and_grads(X, y)
    assert abs(our_loss - loss) / loss <= TOL
    assert max(relative_error(a, b) for a, b in zip(our_grads, grads)) <= TOL


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_scalar_mlp_loss_and_gradients_match_torch(activation):
    model, X, y, logits, loss, grads = torch_reference(activation, sizes=(3, 5, 4, 3), n=6)
    sizes, _, params = (3, 5, 4, 3), None, [p.detach().numpy() for p in model.parameters()]
    net = ScalarMLP(sizes, activation, params=params)
    outputs = [net(x) for x in X]
    total = Value.sum(scalar_cross_entropy(out, int(label)) for out, label in zip(outputs, y)) / len(X)
    total.backward()
    assert relative_error([[z.data for z in out] for out in outputs], logits) <= TOL
    assert abs(total.data - loss) / loss <= TOL
    assert max(relative_error(a, b) for a, b in zip(net.grads(), grads)) <= TOL


def test_softmax_cross_entropy_gradient_is_p_minus_onehot_over_n():
    logits, y = np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 1])
    loss, d = softmax_cross_entropy(logits, y)
    # p = [[1/2, 1/2], [3/4, 1/4]]; loss = -(log 1/2 + log 1/4) / 2 = 1.5 log 2
    assert loss == pytest.approx(1.5 * np.log(2.0), rel=1e-15)
    assert np.allclose(d, [[-0.25, 0.25], [0.375, -0.375]], rtol=1e-15, atol=0)


def test_weights_round_trip_through_torch():
    net = HandMLP((4, 6, 3), "tanh", seed=3)
    model = net.to_torch()
    assert model.config.activation == "tanh" and model.config.hidden_sizes == (6,)
    back = TensorMLP.from_torch(model)
    assert all(np.array_equal(a, b) for a, b in zip(net.param_arrays(), back.param_arrays()))
    X = np.random.default_rng(0).normal(size=(5, 4))
    assert relative_error(net.forward(X), model(torch.from_numpy(X)).detach().numpy()) <= TOL


def test_to_torch_leaves_the_global_torch_generator_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    HandMLP((2, 3, 2)).to_torch()
    assert torch.equal(torch.rand(3), expected)


def test_from_torch_refuses_dropout_and_batch_norm():
    model = build_mlp(ModelConfig(hidden_sizes=(4,), dropout=0.5))
    with pytest.raises(InvalidArgument, match="dropout"):
        HandMLP.from_torch(model)


def test_wrong_parameter_shapes_are_refused():
    with pytest.raises(InvalidArgument, match="must have shapes"):
        HandMLP((2, 3, 2), params=[np.zeros((3, 2)), np.zeros(3), np.zeros((3, 2)), np.zeros(2)])


def test_unknown_activation_is_refused_with_the_choices():
    with pytest.raises(InvalidArgument, match="'activation' parameter of TensorMLP must be one of"):
        TensorMLP((2, 3, 2), activation="rleu")


# --- central differences on a 2-layer net: 4 inputs -> 5 hidden -> 3 classes ---------------------------

def kink_free_inputs(params, n=8, seed=0, margin=1e-3):
    """Inputs whose hidden pre-activations all lie at least ``margin`` from 0 (>> h * |input|), so that the
    +-h steps never cross a ReLU kink."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4 * n, 4))
    z = X @ params[0].T + params[1]                            # (4n, 5) hidden pre-activations
    X = X[np.abs(z).min(axis=1) >= margin][:n]
    assert len(X) == n
    return X, rng.integers(0, 3, size=n)


def numerical_grads(loss_of_params, params):
    return central_differences(loss_of_params, params, h=H)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_hand_mlp_gradients_match_central_differences(activation):
    net = HandMLP((4, 5, 3), activation, seed=1)
    X, y = kink_free_inputs(net.params)
    _, grads = net.loss_and_grads(X, y)
    numeric = numerical_grads(lambda: softmax_cross_entropy(net.forward(X), y)[0], net.params)
    errors = [relative_error(a, b) for a, b in zip(grads, numeric)]
    assert max(errors) <= FD_TOL, errors


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_tensor_mlp_gradients_match_central_differences(activation):
    net = TensorMLP((4, 5, 3), activation, seed=2)
    X, y = kink_free_inputs(net.param_arrays())
    _, grads = net.loss_and_grads(X, y)
    grads = [g.copy() for g in grads]
    numeric = numerical_grads(lambda: net.loss_and_grads(X, y)[0], net.param_arrays())
    errors = [relative_error(a, b) for a, b in zip(grads, numeric)]
    assert max(errors) <= FD_TOL, errors


def test_scalar_mlp_gradients_match_central_differences():
    params = HandMLP((4, 5, 3), "relu", seed=3).params
    X, y = kink_free_inputs(params, n=4)

    def loss() -> Value:
        net = ScalarMLP((4, 5, 3), "relu", params=params)     # reads the (perturbed) arrays afresh
        return Value.sum(scalar_cross_entropy(net(x), int(c)) for x, c in zip(X, y)) / len(X)

    net = ScalarMLP((4, 5, 3), "relu", params=params)
    total = Value.sum(scalar_cross_entropy(net(x), int(c)) for x, c in zip(X, y)) / len(X)
    total.backward()
    numeric = numerical_grads(lambda: loss().data, params)
    errors = [relative_error(a, b) for a, b in zip(net.grads(), numeric)]
    assert max(errors) <= FD_TOL, errors
