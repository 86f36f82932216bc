"""Embeddings and attention: a tiny transformer encoder (bidirectional self-attention, one output per position)
trained on generated digit tasks - reverse, sort and histogram - with and without positional encoding; the
attention maps of every head, the token embeddings by PCA, and scaled dot-product attention from scratch (NumPy
float64, backward by hand) checked against PyTorch. ``run_attention`` writes the figures, ``summary.json``,
``claims.json``, ``report.md`` and ``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.labs.attention.settings import FULL, QUICK, Settings

__all__ = ["run_attention", "Settings", "QUICK", "FULL"]

LAB = "attention"


def run_attention(out: str | Path, settings: Settings = FULL, quick: bool | None = None,
                  progress=lambda message: None) -> dict:
    """Train an encoder per task with and without positional encoding, measure and draw them, check the
    from-scratch attention against torch; write the page into ``out`` and return the summary. ``quick``: label the
    run as a quick one (default: whether ``settings`` is ``QUICK``). Torch and BLAS run on one thread."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(Path(out), settings, settings == QUICK if quick is None else bool(quick), progress)


def _shown_rows(test, k: int) -> list[int]:
    """k test sequences, of different lengths where the test set has them (shortest first)."""
    import numpy as np
    rows = [int(np.flatnonzero(test.lengths == n)[0]) for n in np.unique(test.lengths)][:k]
    rows += [r for r in range(len(test)) if r not in rows][: k - len(rows)]
    return sorted(rows, key=lambda r: (test.lengths[r], r))


def _run(out: Path, s: Settings, quick: bool, progress) -> dict:
    import numpy as np

    from nnlab.labpage import write_lab
    from nnlab.labs.attention import figures
    from nnlab.labs.attention.report import make_claims, report
    from nnlab.labs.attention.tasks import Batch, equivariant_ceiling, token_names
    from nnlab.labs.attention.training import (
        attention,
        embeddings_pca,
        equivariance_gap,
        mirror_attention,
        same_token_attention,
        same_token_uniform,
        test_set,
        train,
    )
    from nnlab.scratch.attention import check_against_torch
    from nnlab.viz import save

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runs, tests = {}, {}
    for task in s.tasks:
        tests[task] = test_set(task, s)
        for positional in (True, False):
            progress(f"training: {task}, {'with' if positional else 'without'} positions")
            runs[task, positional] = train(task, positional, s, tests[task], progress)

    progress("measuring")
    sample = {t: Batch(b.tokens[:500], b.targets[:500], b.real[:500], b.lengths[:500]) for t, b in tests.items()}
    heads = lambda a: {f"layer {l + 1}, head {h + 1}": float(a[l, h]) for l in range(a.shape[0])
                       for h in range(a.shape[1])}
    summary = {
        "settings": asdict(s),
        "token_accuracy": {t: {"pe": runs[t, True].accuracy, "no_pe": runs[t, False].accuracy} for t in s.tasks},
        "equivariant_ceiling": {t: equivariant_ceiling(t, tests[t]) for t in s.tasks},
        "accuracy_by_length": {t: {"pe": runs[t, True].accuracy_by_length, "no_pe": runs[t, False].accuracy_by_length}
                               for t in s.tasks},
        "final_loss": {t: {"pe": float(np.mean(runs[t, True].losses[-20:])),
                           "no_pe": float(np.mean(runs[t, False].losses[-20:]))} for t in s.tasks},
        "equivariance_gap": {t: {"pe": equivariance_gap(runs[t, True].model, sample[t], s.seed),
                                 "no_pe": equivariance_gap(runs[t, False].model, sample[t], s.seed)}
                             for t in s.tasks},
        "mirror_attention": {t: heads(mirror_attention(runs[t, True].model, sample[t])) for t in s.tasks},
        "same_token_attention": {t: heads(same_token_attention(runs[t, True].model, sample[t])) for t in s.tasks},
        "same_token_uniform": {t: same_token_uniform(sample[t]) for t in s.tasks},
        "test_size": s.test_size,
        "skipped_training_sequences": {f"{t}, {'pe' if p else 'no_pe'}": r.skipped for (t, p), r in runs.items()},
        "parameters": sum(p.numel() for p in next(iter(runs.values())).model.parameters()),
        "loss_curves": {t: {"pe": runs[t, True].losses, "no_pe": runs[t, False].losses} for t in s.tasks},
    }
    pca = {}
    for t in s.tasks:
        points, explained = embeddings_pca(runs[t, True].model)
        digits = points[:10]
        rho = max(abs(_spearman(digits[:, k], np.arange(10))) for k in range(2))
        pca[t] = {"points": points.tolist(), "explained": explained.tolist(), "digit_order_rho": rho}
    summary["embedding_pca"] = pca

    progress("from scratch: attention against torch")
    scratch = check_against_torch(seed=s.seed)
    summary["scratch_attention_max_rel_error"] = scratch["max_rel_error"]
    summary["scratch_attention_cases"] = scratch["cases"]

    progress("figures")
    files = save(figures.plot_accuracy(summary), out / "attention_accuracy.png")
    shown = {}
    for t in s.tasks:
        rows = _shown_rows(tests[t], s.shown)
        tokens, lengths = tests[t].tokens[rows], tests[t].lengths[rows]
        shown[t] = {"rows": rows, "tokens": tokens.tolist(), "lengths": lengths.tolist()}
        maps = attention(runs[t, True].model, tokens)
        files += save(figures.plot_maps(maps, tokens, lengths, f"{t}: the attention of every head (with positions), "
                                        "query rows, key columns; '_' is padding"), out / f"attention_maps_{t}.png")
        if t == s.tasks[0]:
            maps = attention(runs[t, False].model, tokens)
            files += save(figures.plot_maps(maps, tokens, lengths, f"{t} without positions: the same inputs "
                                            "(query rows, key columns)"),
                          out / "attention_maps_no_pe.png")
    summary["shown_inputs"] = shown
    files += save(figures.plot_embeddings(pca, token_names()), out / "attention_embeddings.png")
    summary["files"] = [f.name for f in files]
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, report(summary, s), make_claims(summary, s, quick), summary, lab=LAB, quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary


def _spearman(a, b) -> float:
    import numpy as np
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])
