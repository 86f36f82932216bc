"""From-scratch engines in float64, NumPy only, each checked against PyTorch in the tests.

- ``Value`` (value.py): scalar reverse-mode autograd; ``ScalarMLP``, its losses and ``fit_scalar``
  (scalar_nn.py) train a micrograd-sized net on it.
- ``Tensor`` (tensor.py): a NumPy tensor with broadcasting-aware autograd, matmul, reductions, the
  activations of ``nnlab.nn.ACTIVATIONS`` (activations.py) and a stable log-softmax cross-entropy;
  ``TensorMLP`` (tensor_mlp.py) is an MLP on it.
- ``HandMLP`` (mlp.py): the same MLP with its backward pass written by hand, no autograd.
- ``SCRATCH_OPTIMIZERS`` (optim.py): sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw on NumPy
  arrays, with torch.optim's update rules and nnlab's defaults.
- graph.py: the iterative topological sort and backward pass both autograd engines share;
  params.py: parameter layout, initialisation and the round trip to ``nnlab.nn.MLP``; train.py: the
  mini-batch loop for the array engines and the digits task; gradcheck.py: central differences and the
  relative error the checks use.

Importing this package does not import torch.
"""
from nnlab.scratch.activations import SCRATCH_ACTIVATIONS, ScratchActivation
from nnlab.scratch.gradcheck import central_differences, relative_error
from nnlab.scratch.mlp import HandMLP, softmax_cross_entropy
from nnlab.scratch.optim import SCRATCH_OPTIMIZERS, ScratchOptimizer, make_scratch_optimizer
from nnlab.scratch.params import init_params
from nnlab.scratch.scalar_nn import SCALAR_ACTIVATIONS, SCALAR_LOSSES, ScalarMLP, fit_scalar
from nnlab.scratch.tensor import Tensor, cross_entropy
from nnlab.scratch.tensor_mlp import TensorMLP
from nnlab.scratch.train import accuracy, fit_arrays, load_digits_split, stratified_split
from nnlab.scratch.value import Value

__all__ = ["Value", "ScalarMLP", "SCALAR_ACTIVATIONS", "SCALAR_LOSSES", "fit_scalar", "Tensor", "cross_entropy",
           "TensorMLP", "HandMLP", "softmax_cross_entropy", "SCRATCH_ACTIVATIONS", "ScratchActivation",
           "SCRATCH_OPTIMIZERS", "ScratchOptimizer", "make_scratch_optimizer", "init_params", "fit_arrays",
           "accuracy", "stratified_split", "load_digits_split", "central_differences", "relative_error"]
