"""Deployment of the use case's MLP: export, load back, check the predictions, measure size and latency.

The exported directory holds ``model.json`` (the ModelConfig, the scaler's mean and scale, class and feature
names), ``weights.pt`` (the MLP's ``state_dict``) and ``model.torchscript.pt`` (scaler + MLP + softmax traced
into one TorchScript module that takes raw features). Loading needs nnlab for the first pair and only torch
for the TorchScript file.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nnlab.threads import torch_threads

__all__ = ["Deployed", "export_model", "load_model", "roundtrip"]


class Deployed(nn.Module):
    """Raw features (B, d) -> class probabilities (B, K): (x - mean) / scale, the MLP, softmax."""

    def __init__(self, mlp: nn.Module, mean: np.ndarray, scale: np.ndarray):
        super().__init__()
        self.mlp = mlp
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return torch.softmax(self.mlp((x - self.mean) / self.scale), dim=1)


def export_model(estimator, scaler, classes, features, directory: str | Path) -> dict:
    """Write model.json, weights.pt and model.torchscript.pt into ``directory``; returns the file sizes."""
    import dataclasses

    import nnlab
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = dataclasses.asdict(estimator.config_)
    config["hidden_sizes"] = list(config["hidden_sizes"])
    meta = {"format": "nnlab-mlp-1", "nnlab": nnlab.__version__, "torch": torch.__version__,
            "model": config, "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()},
            "classes": list(map(str, classes)), "features": list(map(str, features))}
    (directory / "model.json").write_text(json.dumps(meta, indent=1))
    torch.save(estimator.model_.state_dict(), directory / "weights.pt")
    deployed = Deployed(estimator.model_, scaler.mean_, scaler.scale_).eval()
    example = torch.zeros(1, len(features))
    with torch.no_grad():
        traced = torch.jit.trace(deployed, example, check_trace=False)   # checked below, on real data
    traced.save(str(directory / "model.torchscript.pt"))
    return {p.name: p.stat().st_size for p in sorted(directory.iterdir())}


def load_model(directory: str | Path) -> Deployed:
    """Rebuild the deployed model from model.json + weights.pt (nnlab's builder, then the weights)."""
    from nnlab.config import ModelConfig
    from nnlab.nn import build_mlp
    directory = Path(directory)
    meta = json.loads((directory / "model.json").read_text())
    config = dict(meta["model"], hidden_sizes=tuple(meta["model"]["hidden_sizes"]))
    mlp = build_mlp(ModelConfig(**config))
    mlp.load_state_dict(torch.load(directory / "weights.pt", weights_only=True))
    return Deployed(mlp, np.array(meta["scaler"]["mean"]), np.array(meta["scaler"]["scale"])).eval()


def _median_ms(fn, calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def roundtrip(estimator, scaler, X_raw: np.ndarray, classes, features, directory: str | Path,
              calls: int = 200) -> dict:
    """Export, load back both ways, and compare with the in-memory model on ``X_raw`` (n, d) raw features.

    Returns the file sizes, the largest probability difference and whether every predicted class agrees
    (state_dict route and TorchScript route), and the median latency of one prediction and per example in
    one batch, single-threaded.
    """
    sizes = export_model(estimator, scaler, classes, features, directory)
    in_memory = Deployed(estimator.model_, scaler.mean_, scaler.scale_).eval()
    evaluated = estimator.predict_proba(scaler.transform(X_raw))           # (n, K), the cross-validation path
    loaded = load_model(directory)
    scripted = torch.jit.load(str(Path(directory) / "model.torchscript.pt"))
    x = torch.as_tensor(X_raw, dtype=torch.float32)
    with torch_threads(1), torch.no_grad():
        reference = in_memory(x).numpy()
        p_loaded, p_scripted = loaded(x).numpy(), scripted(x).numpy()
        one = x[:1]
        single = _median_ms(lambda: loaded(one), calls)
        single_ts = _median_ms(lambda: scripted(one), calls)
        batch = _median_ms(lambda: loaded(x), max(5, calls // 20)) / len(x)
    # the loaded models must reproduce the in-memory one exactly (same weights, same float32 operations);
    # against the evaluation path, which scaled in float64 first, they agree to float32 rounding
    return {"files": sizes, "total_bytes": sum(sizes.values()),
            "parameters": sum(p.numel() for p in loaded.mlp.parameters()),
            "max_abs_diff_state_dict": float(np.abs(p_loaded - reference).max()),
            "same_predictions_state_dict": bool((p_loaded.argmax(1) == reference.argmax(1)).all()),
            "max_abs_diff_torchscript": float(np.abs(p_scripted - reference).max()),
            "same_predictions_torchscript": bool((p_scripted.argmax(1) == reference.argmax(1)).all()),
            "max_abs_diff_vs_float64_scaling": float(np.abs(p_loaded - evaluated).max()),
            "same_predictions_vs_float64_scaling": bool((p_loaded.argmax(1) == evaluated.argmax(1)).all()),
            "single_prediction_ms": single, "single_prediction_torchscript_ms": single_ts,
            "batch_ms_per_example": batch, "batch_size": len(x), "latency_threads": 1}
