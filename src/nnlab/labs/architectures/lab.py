"""``run_costs``: count every architecture, check against the papers, time the small ones, write the report.

Writes into ``out``: ``cost_by_year.png``, ``sequence_scaling.png``, ``cnn_shares.png``, ``timing.png``,
``layers_<model>.csv`` (every counted layer), and through ``write_lab`` ``summary.json``, ``claims.json``,
``report.md`` and ``report.html``.
"""
from __future__ import annotations

import csv
import time
from pathlib import Path

from nnlab.labs.architectures.catalog import ARCHITECTURES, build, example_inputs

__all__ = ["run_costs", "profile_all", "profile_gpt3_by_depth", "cnn_case_study", "QUICK_TIMED"]

QUICK_TIMED = ("perceptron", "seed-mlp", "lenet5")
_CONV_KINDS = ("Conv2d", "PartialConv2d")
_YEAR_CHART = ("perceptron", "seed-mlp", "lenet5", "alexnet-2012", "resnet50", "transformer-base", "bert-base",
               "gpt3")
# Vaswani et al. 2017, Sec. 5.1-5.2: batches of ~25,000 source + 25,000 target tokens, 100,000 steps (base).
_TRANSFORMER_PAIRS = 25_000 * 100_000


def profile_all(names=None, quick: bool = False) -> dict:
    """CostProfile of each architecture (all by default), counted on the meta device; with ``quick``, GPT-3
    by ``profile_gpt3_by_depth`` (the same numbers, a few seconds sooner)."""
    from nnlab.labs.architectures.counting import profile
    names = list(ARCHITECTURES) if names is None else names
    return {n: profile_gpt3_by_depth() if quick and n == "gpt3" else
            profile(build(n), example_inputs(n), n, ARCHITECTURES[n].input_desc) for n in names}


def profile_gpt3_by_depth():
    """GPT-3's CostProfile from two shallow copies of it (1 and 2 blocks, every other size GPT-3's).

    The 96 blocks are identical, so the rows of block 1 of the two-block copy, renamed, are exactly the rows of
    blocks 2..95: cost(96) = cost(1) + 95 (cost(2) - cost(1)), layer by layer, parameters included.
    """
    import dataclasses

    import torch

    from nnlab.labs.architectures.counting import profile
    from nnlab.labs.architectures.formulas import GPT3
    from nnlab.labs.architectures.transformer import GPT
    arch, g = ARCHITECTURES["gpt3"], GPT3
    with torch.device("meta"):
        one, two = (GPT(g["vocab"], g["d_model"], g["heads"], depth, g["context"]).eval() for depth in (1, 2))
    p1 = profile(one, example_inputs("gpt3"), "gpt3", arch.input_desc)
    p2 = profile(two, example_inputs("gpt3"), "gpt3", arch.input_desc)
    block = [l for l in p2.layers if l.name.startswith("blocks.1.")]
    cut = max(i for i, l in enumerate(p1.layers) if l.name.startswith("blocks.0.")) + 1
    copies = [dataclasses.replace(l, name=l.name.replace("blocks.1.", f"blocks.{i}.", 1))
              for i in range(1, g["layers"]) for l in block]
    extra = g["layers"] - 1
    p1.layers[cut:cut] = copies
    p1.params += extra * (p2.params - p1.params)
    p1.flop_counter_flops += extra * (p2.flop_counter_flops - p1.flop_counter_flops)
    return p1


def cnn_case_study(profiles: dict, names=("lenet5", "alexnet-2012", "resnet50")) -> list[dict]:
    """Where each CNN's parameters and arithmetic sit: convolutions vs the rest, and how much weight sharing
    saves (connections of the convolutions / their parameters = what an unshared, locally connected layer
    would need per shared weight)."""
    cases = []
    for name in names:
        p = profiles[name]
        conv = [l for l in p.layers if l.kind in _CONV_KINDS]
        cases.append({"model": name, "title": ARCHITECTURES[name].title, "year": ARCHITECTURES[name].year,
                      "params": p.params, "macs": p.macs, "conv_params": sum(l.params for l in conv),
                      "conv_macs": sum(l.macs for l in conv), "conv_connections": sum(l.connections for l in conv),
                      "conv_layers": len(conv)})
    return cases


def _write_layers(profile, path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["layer", "type", "output_shape", "params", "macs", "connections", "activation_bytes"])
        for l in profile.layers:
            writer.writerow([l.name, l.kind, "x".join(map(str, l.output_shape)), l.params, l.macs, l.connections,
                             l.activation_bytes])


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
    checks = compare(computed, _facts(profiles, attention_flops / computed["gpt3"]["train_flops"]))
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
        _write_layers(p, out / f"layers_{name}.csv")
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


def _facts(profiles: dict, gpt3_attention_share: float) -> dict:
    """The numbers the published rows' explanations cite, from the counted modules."""
    from nnlab.labs.architectures.published import PUBLISHED
    t = build("transformer-base")
    vocab, d = t.embed.weight.shape
    published = next(p.value for p in PUBLISHED if (p.model, p.quantity) == ("transformer-base", "params"))
    extra = (published - profiles["transformer-base"].params) / d
    gpt3_embedding = sum(l.params for l in profiles["gpt3"].layers if l.kind == "Embedding")
    return {"transformer_params_per_1000_tokens": 1000 * d,
            "transformer_vocab_for_published": int(round((vocab + extra) / 100) * 100),
            "gpt3_embedding_billions": gpt3_embedding / 1e9, "gpt3_attention_share": gpt3_attention_share}
