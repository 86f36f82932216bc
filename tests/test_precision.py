"""Devices and mixed precision on the torch engine: bf16 autocast on the CPU, clear errors, the lab."""
import json

import numpy as np
import pytest
import torch

from nnlab._validation import InvalidArgument
from nnlab.config import ModelConfig, TrainConfig
from nnlab.data import make_seed_circle
from nnlab.nn import build_mlp
from nnlab.training import fit
from nnlab.training.engines import choose_engine


def _run(precision, epochs=60, **kw):
    X, y = make_seed_circle(300, seed=0)
    model = build_mlp(ModelConfig(hidden_sizes=(16, 16)), seed=0)
    return fit(model, X, y, TrainConfig(lr=0.01, epochs=epochs, engine="auto", **kw), precision=precision), model


def test_bf16_trains_on_the_torch_engine_close_to_fp32():
    h32, _ = _run("fp32")
    h16, _ = _run("bf16")
    assert h16.engine == "torch" and h16.precision == "bf16" and h16.device == "cpu"
    assert h32.precision == "fp32"
    a, b = np.array(h16.loss), np.array(h32.loss)
    assert 0 < np.max(np.abs(a - b) / b) < 0.05         # rounded to bf16, yet the same run
    assert a[-1] < 0.5 * a[0]
    assert abs(h16.final["train_accuracy"] - h32.final["train_accuracy"]) <= 0.03


def test_autocast_really_computes_in_bf16():
    from nnlab.training.precision import autocast
    lin = torch.nn.Linear(4, 3)
    with autocast("cpu", "bf16"):
        assert lin(torch.randn(2, 4)).dtype == torch.bfloat16
    with autocast("cpu", "fp32"):
        assert lin(torch.randn(2, 4)).dtype == torch.float32


def test_precision_and_device_are_checked():
    with pytest.raises(InvalidArgument, match="precision"):
        TrainConfig(precision="fp8")
    with pytest.raises(InvalidArgument, match="CUDA"):
        TrainConfig(precision="fp16", device="cpu")
    if not torch.cuda.is_available():
        with pytest.raises(InvalidArgument, match="CUDA"):
            _run("fp16", epochs=2)
        with pytest.raises(InvalidArgument, match="cuda"):
            _run("fp32", epochs=2, device="cuda")


def test_the_fast_engine_leaves_mixed_precision_to_torch():
    choice = choose_engine("auto", TrainConfig(precision="bf16"), model_config=ModelConfig())
    assert choice.engine == "torch" and "bf16" in choice.reason


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_cuda_training(precision):
    h, model = _run(precision, device="cuda")
    assert h.device == "cuda" and next(model.parameters()).is_cuda and h.loss[-1] < h.loss[0]


def test_precision_lab_quick(tmp_path):
    import subprocess
    import sys

    from labcheck import check_lab_outputs
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "precision", "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Finding:" in result.stdout and "report.html" in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    rows = summary["rows"]
    assert {(r["workload"], r["precision"]) for r in rows} >= {("seed", "fp32"), ("seed", "bf16"),
                                                                ("digits", "bf16"), ("digits-wide", "bf16")}
    assert all(r["ms_per_epoch"] > 0 for r in rows)
    # the quick run compares networks that learned: well above chance in every precision
    settings = summary["workload_settings"]
    assert all(r["train_accuracy"] >= settings[r["workload"]]["learned"] for r in rows)
    assert "| seed | cpu | bf16 |" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "precision.png").exists()
    claims = check_lab_outputs(tmp_path, "precision")
    by_id = {c["id"]: c for c in claims}
    assert {c["id"] for c in claims if c["headline"]} >= {"seed_bf16_same_accuracy", "digits_bf16_same_accuracy",
                                                          "digits-wide_bf16_same_accuracy"}
    assert not by_id["bf16_loss_floor"]["shown"]          # the loss floor needs the full run's 2000 epochs
    seed_bf16 = next(r for r in rows if r["workload"] == "seed" and r["precision"] == "bf16")
    assert f"{seed_bf16['train_accuracy']:.4f}" in by_id["seed_bf16_same_accuracy"]["text"]


def test_the_precision_benchmark_times_products_and_reports_without_a_gpu(monkeypatch):
    import importlib.util
    from pathlib import Path
    path = Path(__file__).parent.parent / "benchmarks" / "precision.py"
    spec = importlib.util.spec_from_file_location("precision_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.time_matmul(32, torch.bfloat16, "cpu", 0.01) > 0
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    mm = [{"device": "cpu", "dtype": "fp32", "n": 32, "gflops": 1.0, "vs_fp32": 1.0}]
    tr = [{"workload": "seed", "device": "cpu", "precision": "bf16", "epochs": 3, "ms_per_epoch": 2.0,
           "speedup": 0.5, "final_loss": 0.7, "test_accuracy": None}]
    text = bench.report(mm, tr, quick=True, load=(0.5, 0.5, 0.5))
    assert "CUDA rows are left out" in text and "| seed | cpu | bf16 | 3 | 2.00 | 0.50x |" in text
    with bench.tf32(True):          # a no-op switch without CUDA, restored afterwards
        assert torch.backends.cuda.matmul.allow_tf32
    assert not torch.backends.cuda.matmul.allow_tf32
