"""Exercise 1.2, the cost part: real models of landmark architectures and what they cost, computed from them.

``ARCHITECTURES`` maps a name to how to build the model and a typical input of batch size one. Counting runs
on the ``meta`` device (shapes only, nothing allocated), so GPT-3's 175 billion parameters cost nothing;
timing builds the small ones for real on the CPU. ``run_costs(out)`` writes the tables, figures and report
(``nnlab costs``).
"""
from nnlab.labs.architectures.catalog import ARCHITECTURES, Architecture, build, example_inputs

__all__ = ["Architecture", "ARCHITECTURES", "build", "example_inputs", "run_costs"]


def __getattr__(name):
    if name == "run_costs":
        from nnlab.labs.architectures.lab import run_costs
        return run_costs
    raise AttributeError(f"module 'nnlab.labs.architectures' has no attribute {name!r}")
