"""Labs: each exercise and idea of the chapter as a lab that trains, draws, measures and states its claims.

Every lab runs from Python as ``nnlab <lab>`` runs it from the shell, and returns its published result::

    from nnlab.labs import run
    result = run("gradflow")              # quick mode by default: seconds
    result                                # in Jupyter: the title and every claim with its status
    result.claims["sigmoid_gradient_vanishes"].text
    result.image("gradflow_heatmaps.png")  # a figure, inline in Jupyter
    result.summary["training"]            # the numbers the claims cite

``LABS`` names them in the tour's order. ``load(out)`` reads back a lab's published result from its directory.
``one_thread()`` runs a block on one torch, BLAS and OpenMP thread, as every lab does.
"""
from __future__ import annotations

from pathlib import Path

from nnlab._validation import check_choice
from nnlab.labs._threads import one_thread

__all__ = ["LABS", "run", "load", "one_thread"]

# name -> one line on what the lab studies
LABS = {
    "perceptron": "The perceptron: the line after each update, the pocket algorithm and the capacity of a line",
    "gd": "Gradient descent, SGD and optimizer paths (exercise 1.3)",
    "study": "A single hidden layer, its activations and its hyperparameters (exercise 1.1)",
    "gradflow": "Gradient flow: vanishing and exploding gradients",
    "regularize": "Overfitting, underfitting and regularisation",
    "approx": "Universal approximation",
    "history": "A history of deep learning (exercise 1.2)",
    "costs": "The cost of architectures (exercise 1.2)",
    "conv": "Convolutions and hierarchical features",
    "sequence": "Sequences and gradients through time: RNN, LSTM and GRU",
    "attention": "Embeddings and attention: a tiny transformer encoder",
    "generative": "Generative models: a Gaussian mixture, a VAE and a GAN on the plane",
    "usecase": "A use case on real data (exercise 1.5)",
    "explain": "Looking inside a trained network",
    "precision": "Mixed precision: fp32 vs bf16",
    "tensors": "Tensors and matrix multiplication (exercise 1.4)",
}


def _settings(module, quick: bool):
    return module.QUICK if quick else module.FULL


def _run_perceptron(out, quick):
    from nnlab.labs import perceptron
    perceptron.run_perceptron(out, _settings(perceptron, quick), quick=quick)


def _run_conv(out, quick):
    from nnlab.labs import conv
    conv.run_conv(out, _settings(conv, quick), quick=quick)


def _run_sequence(out, quick):
    from nnlab.labs import sequence
    sequence.run_sequence(out, _settings(sequence, quick), quick=quick)


def _run_attention(out, quick):
    from nnlab.labs import attention
    attention.run_attention(out, _settings(attention, quick), quick=quick)


def _run_generative(out, quick):
    from nnlab.labs import generative
    generative.run_generative(out, _settings(generative, quick), quick=quick)


def _run_gd(out, quick):
    from nnlab.labs import gd
    gd.run_gd(out, settings=_settings(gd, quick))


def _run_study(out, quick):
    from nnlab.labs import study
    study.run_study("all", out, _settings(study, quick), quick=quick)


def _run_gradflow(out, quick):
    from nnlab.labs import gradflow
    gradflow.run_gradflow(out, _settings(gradflow, quick), quick=quick)


def _run_regularize(out, quick):
    from nnlab.labs import regularize
    regularize.run_regularize(out, _settings(regularize, quick), quick=quick)


def _run_approx(out, quick):
    from nnlab.labs import approx
    approx.run_approx(out, _settings(approx, quick), quick=quick)


def _run_history(out, quick):
    from nnlab.labs.history import run_history
    run_history(out)                       # seconds either way: no quick mode


def _run_costs(out, quick):
    from nnlab.labs.architectures import run_costs
    run_costs(out, quick=quick)


def _run_usecase(out, quick):
    from nnlab.labs.usecase import run_usecase
    run_usecase(out, folds=3 if quick else 5, quick=quick)       # as the tour runs it


def _run_explain(out, quick):
    from nnlab.labs import explain
    explain.run_explain(out, _settings(explain, quick), quick=quick)


def _run_precision(out, quick):
    from nnlab.labs.precision import run_precision
    run_precision(out, quick=quick)


def _run_tensors(out, quick):
    from nnlab.labs.tensors import run_tensors
    run_tensors(out, quick=quick)


_RUNNERS = {"perceptron": _run_perceptron, "conv": _run_conv, "generative": _run_generative,
            "attention": _run_attention, "sequence": _run_sequence, "gd": _run_gd,
            "study": _run_study, "gradflow": _run_gradflow, "regularize": _run_regularize, "approx": _run_approx,
            "history": _run_history, "costs": _run_costs, "usecase": _run_usecase, "explain": _run_explain,
            "precision": _run_precision, "tensors": _run_tensors}


def run(name: str, out: str | Path | None = None, quick: bool = True):
    """Run lab ``name`` (a key of ``LABS``) into ``out`` (default ``results/<name>``) and return its LabResult.

    quick : the lab's quick mode (``nnlab <lab> --quick``; seconds), or its full run (seconds to minutes)
    """
    check_choice("name", name, LABS, "run")
    out = Path(out if out is not None else Path("results") / name)
    out.mkdir(parents=True, exist_ok=True)
    _RUNNERS[name](out, quick)
    return load(out)


def load(out: str | Path):
    """The LabResult a lab published into ``out`` (its summary, claims and figures)."""
    from nnlab.labpage import load_result
    return load_result(out)
