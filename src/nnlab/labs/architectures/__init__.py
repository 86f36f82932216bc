"""Exercise 1.2, the cost part: real models of landmark architectures and what they cost, computed from them.

``ARCHITECTURES`` maps a name to how to build the model and a typical input of batch size one. Counting runs
on the ``meta`` device (shapes only, nothing allocated), so GPT-3's 175 billion parameters cost nothing;
timing builds the small ones for real on the CPU. ``run_costs(out)`` writes the tables, figures and report
(``nnlab costs``): ``cost_by_year.png``, ``sequence_scaling.png``, ``cnn_shares.png``, ``timing.png``,
``layers_<model>.csv`` (every counted layer), and through ``write_lab`` ``summary.json``, ``claims.json``,
``report.md`` and ``report.html``.
"""
from __future__ import annotations

import time
from pathlib import Path

from nnlab.labs.architectures.catalog import ARCHITECTURES, Architecture, build, example_inputs

__all__ = ["Architecture", "ARCHITECTURES", "build", "example_inputs", "run_costs"]

_YEAR_CHART = ("perceptron", "seed-mlp", "lenet5", "alexnet-2012", "resnet50", "transformer-base", "bert-base",
               "gpt3")
# Vaswani et al. 2017, Sec. 5.1-5.2: batches of ~25,000 source + 25,000 target tokens, 100,000 steps (base).
_TRANSFORMER_PAIRS = 25_000 * 100_000


def run_costs(out: str | Path, quick: bool = False, timed=None, threads: int | None = 1) -> dict:
    """Everything of the cost lab into ``out``; returns the summary. ``quick`` times only the three smallest
    models (every count, check and length is the same as in the full run); ``timed`` names the models to time
    instead; ``threads`` is torch's thread count while timing (None: leave it). Everything else runs on one
    thread (torch and BLAS), so the run's time does not depend on the machine's load."""
    import torch

    from nnlab.labs._threads import one_thread
    previous = torch.get_num_threads()
    with one_thread():
        return _run_costs(Path(out), quick, timed, threads or previous)


def _run_costs(out: Path, quick: bool, timed, threads: int) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.architectures import figures
    from nnlab.labs.architectures.formulas import (
        GPT3,
        attention_training_flops,
        gpt_forward_macs_per_token,
        gpt_params,
        training_flops,
    )
    from nnlab.labs.architectures.profiles import (
        QUICK_TIMED,
        cnn_case_study,
        profile_all,
        published_facts,
        write_layers,
    )
    from nnlab.labs.architectures.published import compare
    from nnlab.labs.architectures.report import cost_report, make_claims
    from nnlab.labs.architectures.scaling import LENGTHS, attention_matrix_layers, sequence_scaling
    from nnlab.labs.architectures.timing import measure
    from nnlab.viz._style import save

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    # 1) count every model on the meta device
    profiles = profile_all(quick=quick)
    computed = {n: {"params": p.params, "macs": p.macs, "connections": p.connections} for n, p in profiles.items()}
    gpt = GPT3
    computed["gpt3"]["train_flops"] = training_flops(profiles["gpt3"].params, gpt["tokens"])
    # 2) check against the papers, and the modules against the closed forms
    attention_flops = attention_training_flops(gpt["layers"], gpt["context"], gpt["d_model"], gpt["tokens"])
    checks = compare(computed, published_facts(profiles, attention_flops / computed["gpt3"]["train_flops"]))
    formulas = {
        "gpt3_params_formula": gpt_params(gpt["layers"], gpt["d_model"], gpt["vocab"], gpt["context"]),
        "gpt3_macs_formula": gpt["context"] * gpt_forward_macs_per_token(gpt["layers"], gpt["d_model"], gpt["vocab"],
                                                                         gpt["context"]),
        "gpt3_train_flops_6nd": computed["gpt3"]["train_flops"],
        "gpt3_train_flops_with_attention": computed["gpt3"]["train_flops"] + attention_flops,
        "transformer_base_train_flops_estimate": 6 * profiles["transformer-base"].macs / 128 * _TRANSFORMER_PAIRS,
        "transformer_base_train_flops_paper": 3.3e18,
    }
    flop_counter = {n: {"hook_dense_flops": 2 * p.dense_macs(), "flop_counter_flops": p.flop_counter_flops}
                    for n, p in profiles.items()}
    # 3) how cost grows with sequence length (every length in both modes: about a second); where CNNs spend
    scaling = sequence_scaling(LENGTHS)
    cases = cnn_case_study(profiles)
    # 4) measured: forward time per example on this CPU
    names = list(timed or (QUICK_TIMED if quick else [n for n, a in ARCHITECTURES.items() if a.timeable]))
    timing = measure(names, {n: profiles[n].macs for n in names}, batches=(1, 8), repeats=3 if quick else 5,
                     threads=threads)
    # 5) figures, layer tables, page
    entries = [{"title": ARCHITECTURES[n].title, "year": ARCHITECTURES[n].year, "params": profiles[n].params,
                "macs": profiles[n].macs} for n in _YEAR_CHART]
    for e in entries:
        if e["title"] == ARCHITECTURES["gpt3"].title:
            e["train_flops"], e["train_flops_source"] = computed["gpt3"]["train_flops"], "6ND"
        if e["title"] == ARCHITECTURES["transformer-base"].title:
            e["train_flops"] = formulas["transformer_base_train_flops_paper"]
            e["train_flops_source"] = "paper's estimate"
    files = []
    for stem, fig in [("cost_by_year", figures.plot_cost_by_year(entries)),
                      ("sequence_scaling", figures.plot_sequence_scaling(scaling)),
                      ("cnn_shares", figures.plot_cnn_shares(cases)), ("timing", figures.plot_timing(timing))]:
        files += [p.name for p in save(fig, out / f"{stem}.png")]
    for name, p in profiles.items():
        write_layers(p, out / f"layers_{name}.csv")
        files.append(f"layers_{name}.csv")
    gpt3_attention = sum(l.activation_bytes for l in profiles["gpt3"].layers if l.kind in ("MatMul", "Softmax"))
    gpt3_matrices = sum(l.activation_bytes for l in attention_matrix_layers(profiles["gpt3"].layers))
    summary = {"quick": quick, "models": {n: p.to_dict() for n, p in profiles.items()}, "checks": checks,
               "formulas": formulas, "flop_counter": flop_counter, "sequence_scaling": scaling,
               "cnn_case_study": cases, "timing": timing,
               # every output of the attention products and softmax (P V's n x d values included) ...
               "gpt3_attention_activation_bytes": gpt3_attention,
               # ... and the score and probability matrices alone (h x n x n each, twice per layer)
               "gpt3_attention_matrix_bytes": gpt3_matrices}
    summary["files"] = files + ["report.md", "report.html", "claims.json", "summary.json"]
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, cost_report(summary, profiles), make_claims(summary, quick), summary, lab="costs",
                       quick=quick, seconds=summary["wall_time_s"])
    return result.summary
