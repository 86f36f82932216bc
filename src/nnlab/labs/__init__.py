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


# how the labs whose entry point has another shape are run (as the tour runs them); every other lab is
# run_<lab>(out, settings, quick=quick) with its settings.QUICK or FULL
_SPECIAL = {
    "gd": lambda m, out, quick: m.run_gd(out, settings=m.QUICK if quick else m.FULL),
    "study": lambda m, out, quick: m.run_study("all", out, m.QUICK if quick else m.FULL, quick=quick),
    "history": lambda m, out, quick: m.run_history(out),              # seconds either way: no quick mode
    "costs": lambda m, out, quick: m.run_costs(out, quick=quick),
    "usecase": lambda m, out, quick: m.run_usecase(out, folds=3 if quick else 5, quick=quick),
    "precision": lambda m, out, quick: m.run_precision(out, quick=quick),
    "tensors": lambda m, out, quick: m.run_tensors(out, quick=quick),
}
_PACKAGE = {"costs": "architectures"}          # the costs lab lives in labs/architectures/


def _run_lab(name: str, out: Path, quick: bool) -> None:
    import importlib
    module = importlib.import_module(f"nnlab.labs.{_PACKAGE.get(name, name)}")
    if name in _SPECIAL:
        _SPECIAL[name](module, out, quick)
        return
    settings = importlib.import_module(f"{module.__name__}.settings")
    getattr(module, f"run_{name}")(out, settings.QUICK if quick else settings.FULL, quick=quick)


def run(name: str, out: str | Path | None = None, quick: bool = True):
    """Run lab ``name`` (a key of ``LABS``) into ``out`` (default ``results/<name>``) and return its LabResult.

    quick : the lab's quick mode (``nnlab <lab> --quick``; seconds), or its full run (seconds to minutes)
    """
    check_choice("name", name, LABS, "run")
    out = Path(out if out is not None else Path("results") / name)
    out.mkdir(parents=True, exist_ok=True)
    _run_lab(name, out, quick)
    return load(out)


def load(out: str | Path):
    """The LabResult a lab published into ``out`` (its summary, claims and figures)."""
    from nnlab.labpage import load_result
    return load_result(out)
