"""The tensor lab (exercise 1.4): basic tensor operations in NumPy and PyTorch side by side, then matrix
multiplication from pure Python to BLAS.

Each entry of ``TENSOR_DEMOS`` is one idea, written twice, once per library, as a list of panels
(label, array): the inputs first, then what the operation makes of them. ``run_demo`` evaluates both,
describes every panel (shape, strides in elements and bytes, contiguous or not, a view of which input or a
fresh copy) and compares the two libraries on values, dtype, shape, element strides, contiguity and view or copy.

Strides: moving one step along axis d moves ``strides[d]`` elements through memory. NumPy reports them in
bytes (``a.strides``), PyTorch in elements (``t.stride()``).

Every value is a small integer in float32 (argmax gives int64), so both libraries' results can be compared
exactly.

``run_tensors`` draws every demo, times a few matmul kernels against BLAS (``nnlab.labs.tensors.matmul``) and
publishes the page through ``write_lab``: ``summary.json``, ``claims.json``, ``report.md``, ``report.html``.
"""
from __future__ import annotations

from pathlib import Path

from nnlab._validation import check_choice
from nnlab.labs.tensors.demos import TENSOR_DEMOS, Demo, Panel, demo_record, run_demo
from nnlab.labs.tensors.report import TITLE

__all__ = ["Demo", "Panel", "TENSOR_DEMOS", "run_demo", "demo_record", "run_tensors", "run_lab", "TITLE"]


def run_tensors(out: str | Path, names: list[str] | None = None, *, quick: bool = False, matmul: bool = True,
                progress=lambda message: None) -> dict:
    """Draw every demo (or ``names``) to ``out/tensors_<name>.png``, time the matmul comparison (quick or full
    settings of ``nnlab.labs.tensors.settings``; skipped with ``matmul=False``) and publish the lab's page:
    ``summary.json``, ``claims.json``, ``report.md``, ``report.html`` (and ``tensors.json``, the demos alone).

    Torch and the BLAS/OpenMP pools run one thread for the duration (restored after), so the timings and the
    run's length do not depend on the machine's core count. Returns the summary."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), names, quick, matmul, progress)


def _run(out: Path, names, quick: bool, matmul: bool, progress) -> dict:
    import json
    import time

    from nnlab.labpage import write_lab
    from nnlab.labs.tensors.figures import plot_demo, plot_matmul
    from nnlab.labs.tensors.matmul import compare
    from nnlab.labs.tensors.report import make_claims, report
    from nnlab.labs.tensors.settings import FULL, QUICK
    from nnlab.viz._style import save

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    names = list(names or TENSOR_DEMOS)
    for name in names:
        check_choice("demo", name, TENSOR_DEMOS)
    summary: dict = {"settings": {"quick": quick, "demos": names}, "demos": [], "files": []}
    if matmul:   # timed first, before the figures fill the memory and the caches
        cfg = QUICK if quick else FULL
        progress("matmul: gate and timing")
        summary["matmul"] = compare(cfg, log=progress)
        summary["settings"]["matmul"] = summary["matmul"]["config"]
    for name in names:
        progress(f"tensors: {name}")
        result = run_demo(name)
        path = save(plot_demo(result), out / f"tensors_{name}.png")[0]
        summary["demos"].append(demo_record(result, path.name))
        summary["files"].append(path.name)
    if matmul and summary["matmul"]["rows"]:
        summary["files"] += [p.name for p in save(plot_matmul(summary["matmul"]), out / "tensors_matmul.png")]
    (out / "tensors.json").write_text(json.dumps([{k: v for k, v in d.items() if not k.endswith("_panels")}
                                                  for d in summary["demos"]], indent=1))
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, report(summary), make_claims(summary, quick), summary, lab="tensors", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary


run_lab = run_tensors          # the entry point's earlier name
