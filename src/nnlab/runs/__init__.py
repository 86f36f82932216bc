"""The run store: configs, statuses, per-epoch metrics and artifacts of every run, in SQLite."""
from nnlab.runs.store import STATUSES, Run, RunStore, RunStoreError, default_store_path

__all__ = ["RunStore", "RunStoreError", "Run", "STATUSES", "default_store_path", "RunRecorder", "recorded_run",
           "run_versions", "history_series", "final_of", "export_csv", "export_json", "TensorBoardLogger"]


def __getattr__(name):
    if name in ("RunRecorder", "recorded_run", "run_versions", "history_series", "final_of"):
        from nnlab.runs import recorder
        return getattr(recorder, name)
    if name == "TensorBoardLogger":                 # needs the tensorboard package (the dev extra)
        from nnlab.runs.tensorboard import TensorBoardLogger
        return TensorBoardLogger
    if name in ("export_csv", "export_json"):
        from nnlab.runs import export
        return getattr(export, name)
    raise AttributeError(f"module 'nnlab.runs' has no attribute {name!r}")
