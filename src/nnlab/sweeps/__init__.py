"""Sweeps: a base config plus a grid or random search and seeds, every trial recorded in the run store.

    from nnlab.sweeps import load_spec, run_sweep
    result = run_sweep(load_spec("examples/sweeps/seed_lr.yaml"), store="nnlab-runs")
    print(result.summary())            # 27 trials: 27 finished

Modules: ``spec`` (reading and checking specs), ``search`` (trials from a spec), ``executors`` (the EXECUTORS
registry), ``vectorized`` + ``batched`` + ``batched_optim`` (K models in one batched pass), ``process`` (a local
process pool), ``ray_cluster`` (a Ray cluster), ``recording`` (a trial as a run in the store), ``runner``
(``run_sweep``: resume, then run), ``events`` (how progress is reported). Importing this package does not load
torch.
"""
from nnlab.sweeps.events import SweepObserver, SweepResult, TrialEvent
from nnlab.sweeps.executors import EXECUTORS
from nnlab.sweeps.runner import SweepPlan, run_sweep
from nnlab.sweeps.search import Trial, expand
from nnlab.sweeps.spec import DISTRIBUTIONS, FIELDS, SweepSpec, load_spec, parse_spec

__all__ = ["SweepSpec", "load_spec", "parse_spec", "FIELDS", "DISTRIBUTIONS", "Trial", "expand", "EXECUTORS",
           "run_sweep", "SweepPlan", "SweepObserver", "SweepResult", "TrialEvent"]
