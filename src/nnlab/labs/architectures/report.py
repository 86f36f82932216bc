"""The cost lab's page: its claims, each a sentence built from the computed numbers with a predicate over them,
and the document around them (setup, tables, figures). Nothing in it is typed by hand except the published
figures, which carry their sources, and the theory, which is labelled as such."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.architectures.catalog import ARCHITECTURES

__all__ = ["cost_report", "make_claims", "si", "nbytes", "TITLE"]

TITLE = "The cost of neural network architectures, computed from the models"
ACCELERATOR_BYTES = 80e9        # one accelerator of 80 GB (A100 / H100 80GB)
ADAM_BYTES_PER_PARAM = 16       # fp32 weights, gradients and Adam's two moments


def si(x: float, digits: int = 3) -> str:
    """1234567 -> '1.23M' (k, M, G, T, P, E); 3.14e23 -> '3.14e+23' beyond E."""
    if abs(x) >= 1e21:
        return f"{x:.{digits}g}"
    for scale, unit in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.{digits}g}{unit}"
    return f"{x:.{digits}g}"


def nbytes(x: float) -> str:
    """Bytes in decimal units: '244 MB'."""
    for scale, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if x >= scale:
            return f"{x / scale:.3g} {unit}"
    return f"{x:.0f} B"


def _exact(x: float) -> str:
    """Every digit up to 1e15 (60,965,224), scientific beyond (3.143e+23)."""
    return f"{x:,.0f}" if x < 1e15 else f"{x:.4g}"


def _models_table(doc, models):
    rows = []
    for name, m in models.items():
        a = ARCHITECTURES[name]
        rows.append([a.title, a.year, a.input_desc, f"{m['params']:,}", nbytes(m["param_bytes_fp32"]),
                     nbytes(m["param_bytes_fp16"]), nbytes(16 * m["params"]), si(m["macs"]),
                     nbytes(m["activation_bytes"])])
    doc.table(["model", "year", "one example", "parameters", "fp32", "fp16", "training state (Adam, 16 B/param)",
               "forward MACs", "activations (fp32)"], rows)



def _title(name: str) -> str:
    return ARCHITECTURES[name].title


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


# -- claims -------------------------------------------------------------------------------------------------------

def _claims_checks(c: Claims, s: dict) -> None:
    checks = s["checks"]
    bad = [r for r in checks if not r["within"]]
    worst = max(checks, key=lambda r: abs(r["relative_difference"]) / r["tolerance"])
    c.check("published_figures_match", not bad, headline=True,
            numbers={"n": len(checks), "outside": len(bad), "worst_model": _title(worst["model"]),
                     "worst_quantity": worst["quantity"], "worst": worst["relative_difference"],
                     "tolerance": worst["tolerance"],
                     "outside_list": "; ".join(f"{_title(r['model'])} {r['quantity']} "
                                               f"{100 * r['relative_difference']:+.2f}%" for r in bad)},
            finding="All {n} published figures lie within their tolerance of the counts computed from the modules "
                    "(closest to its limit: {worst_model}, {worst_quantity}, {worst:+.2%} against {tolerance:.0%}).",
            otherwise="{outside} of the {n} published figures lie outside their tolerance of the computed counts: "
                      "{outside_list}.")
    fc = s["flop_counter"]
    differ = [n for n, v in fc.items() if v["hook_dense_flops"] != v["flop_counter_flops"]]
    c.check("hooks_match_flop_counter", not differ,
            numbers={"n": len(fc), "same": len(fc) - len(differ), "differ": ", ".join(map(_title, differ))},
            finding="torch's FlopCounterMode, run on the same forward passes, counts exactly twice the hooks' matmul "
                    "and convolution multiply-adds for all {n} models.",
            otherwise="FlopCounterMode counts exactly twice the hooks' matmul and convolution multiply-adds for "
                      "{same} of {n} models; it differs for {differ}.")
    f, g = s["formulas"], s["models"]["gpt3"]
    c.check("gpt3_closed_form", g["params"] == f["gpt3_params_formula"] and g["macs"] == f["gpt3_macs_formula"],
            numbers={"params": g["params"], "params_formula": f["gpt3_params_formula"], "macs": g["macs"],
                     "macs_formula": f["gpt3_macs_formula"]},
            finding="GPT-3's module has {params:,} parameters and its forward pass over 2,048 tokens {macs:,} "
                    "multiply-adds, exactly what the closed forms give.",
            otherwise="GPT-3's module has {params:,} parameters (closed form: {params_formula:,}) and its forward "
                      "pass over 2,048 tokens {macs:,} multiply-adds (closed form: {macs_formula:,}).")
    share = f["gpt3_train_flops_with_attention"] / f["gpt3_train_flops_6nd"] - 1
    c.check("attention_term_small", share < 0.05,
            numbers={"share": share, "with_attention": f["gpt3_train_flops_with_attention"],
                     "c_6nd": f["gpt3_train_flops_6nd"]},
            finding="Kaplan et al.'s attention term adds {share:.1%} to GPT-3's 6ND = {c_6nd:.3e} FLOPs (giving "
                    "{with_attention:.3e}): at a context of 2,048 tokens 6ND leaves out little.",
            otherwise="Kaplan et al.'s attention term adds {share:.1%} to GPT-3's 6ND = {c_6nd:.3e} FLOPs (giving "
                      "{with_attention:.3e}): 6ND leaves out a noticeable part.")
    estimate, paper = f["transformer_base_train_flops_estimate"], f["transformer_base_train_flops_paper"]
    ratio = paper / estimate
    c.check("transformer_paper_above_count", ratio > 1,
            numbers={"estimate": estimate, "paper": paper, "ratio": ratio, "utilisation": 1 / ratio},
            finding="The counted estimate for the Transformer base, {estimate:.2e} FLOPs, lies {ratio:.1f}x below "
                    "the paper's {paper:.2g}, which is training time x GPUs x an assumed sustained rate, not "
                    "counted operations.",
            otherwise="The counted estimate for the Transformer base, {estimate:.2e} FLOPs, was expected below the "
                      "paper's {paper:.2g} (training time x GPUs x an assumed sustained rate) but is not (paper / "
                      "count = {ratio:.2f}).", cause=False)
    c.theory("transformer_ratio_reading", "An interpretation, not measured here: if the counted operations "
             "(three times the counted forward FLOPs; element-wise work left out) are most of what the GPUs did, "
             "they sustained about 1/{ratio:.1f} = {utilisation:.0%} of the rate the paper assumes, a utilisation "
             "of that order.", {"ratio": ratio, "utilisation": 1 / ratio})


def _claims_memory(c: Claims, s: dict) -> None:
    g = s["models"]["gpt3"]
    state = ADAM_BYTES_PER_PARAM * g["params"]
    gpus = -(-state // ACCELERATOR_BYTES)
    c.check("gpt3_training_memory", gpus > 1, headline=True,
            numbers={"params": g["params"], "fp32": nbytes(g["param_bytes_fp32"]),
                     "fp16": nbytes(g["param_bytes_fp16"]), "state": nbytes(state), "gpus": int(gpus)},
            finding="GPT-3's {params:,} parameters take {fp32} in fp32 ({fp16} in fp16); training them with Adam "
                    "keeps {state}, at least {gpus} accelerators of 80 GB before a single activation is stored.",
            otherwise="GPT-3's {params:,} parameters take {fp32} in fp32; training them with Adam keeps {state}, "
                      "which fits on one accelerator of 80 GB.")
    act = g["activation_bytes"]
    attention = s.get("gpt3_attention_matrix_bytes", s["gpt3_attention_activation_bytes"])
    c.check("gpt3_activations_exceed_an_accelerator", act > ACCELERATOR_BYTES,
            numbers={"act": nbytes(act), "bytes": act, "attention_share": attention / act,
                     "attention": nbytes(attention), "times": act / ACCELERATOR_BYTES},
            finding="One 2,048-token GPT-3 sequence produces {act} of layer outputs in fp32 with dense attention "
                    "({attention} of them, {attention_share:.0%}, are attention's score and probability matrices: "
                    "96 heads' 2,048 x 2,048 scores per layer, stored as scores and as probabilities), {times:.1f} "
                    "times what one accelerator of 80 GB holds.",
            otherwise="One 2,048-token GPT-3 sequence produces {act} of layer outputs in fp32: expected more than "
                      "one accelerator of 80 GB holds, but it fits in one.", cause=False)
    per_token = g["macs"] / 2048
    ratio = per_token / g["params"]
    c.check("gpt3_forward_near_2n", abs(ratio - 1) < 0.1,
            numbers={"ratio": ratio, "per_token": per_token, "params": g["params"]},
            finding="GPT-3's counted forward pass costs {ratio:.3f} x 2N FLOPs per token at 2,048 tokens, N its "
                    "parameters (the excess over 2N: the attention products).",
            otherwise="GPT-3's counted forward pass costs {ratio:.3f} x 2N FLOPs per token at 2,048 tokens, "
                      "more than 10% from the theory's 2N.")


def _claims_sequence(c: Claims, s: dict) -> None:
    rows = s["sequence_scaling"]
    c.check("hooks_match_encoder_formula", all(r["macs"] == r["formula_macs"] for r in rows),
            numbers={"lengths": [r["n"] for r in rows], "n_min": rows[0]["n"], "n_max": rows[-1]["n"]},
            finding="At every length from {n_min:,} to {n_max:,} tokens the hooks count exactly the closed form's "
                    "multiply-adds for BERT-base.",
            otherwise="At some lengths from {n_min:,} to {n_max:,} tokens the hooks' count for BERT-base differs from "
                      "the closed form's.")
    if len(rows) < 2:
        return
    a, b = rows[-2], rows[-1]
    numbers = {"n0": a["n"], "n1": b["n"], "attention": b["attention_macs"] / a["attention_macs"],
               "rest": b["other_macs"] / a["other_macs"], "total": b["macs"] / a["macs"],
               "memory": b["activation_bytes"] / a["activation_bytes"], "doubling": b["n"] == 2 * a["n"]}
    c.check("attention_quadratic", numbers["doubling"] and abs(numbers["attention"] - 4) < 0.01
            and abs(numbers["rest"] - 2) < 0.02, headline=True, numbers=numbers,
            finding="Doubling n from {n0:,} to {n1:,} multiplies BERT's attention multiply-adds by {attention:.2f} "
                    "(quadratic in n) and the rest by {rest:.2f} (linear): the total grows by {total:.2f} and the "
                    "activation memory by {memory:.2f}.",
            otherwise="Going from n = {n0:,} to {n1:,} multiplies BERT's attention multiply-adds by {attention:.2f} "
                      "and "
                      "the rest by {rest:.2f} (the total by {total:.2f}), not the 4 and 2 of a doubling of n.")
    bert = {r["bert_params"] for r in rows}
    growth = [y["mlp_params"] / x["mlp_params"] / (y["n"] / x["n"]) for x, y in zip(rows, rows[1:])]
    c.check("sequence_params", len(bert) == 1 and all(0.95 < g <= 1.0 for g in growth), headline=True,
            numbers={"bert": si(rows[0]["bert_params"]), "n0": rows[0]["n"], "n1": rows[-1]["n"],
                     "mlp0": si(rows[0]["mlp_params"]), "mlp1": si(rows[-1]["mlp_params"]),
                     "bert_counts": sorted(bert), "growth_per_n": growth},
            finding="BERT's parameter count is the same at every length ({bert}, with learned positions for the "
                    "longest n), while the MLP reading the "
                    "flattened n x 768 input grows in proportion to n: {mlp0} parameters at n = {n0:,}, {mlp1} at "
                    "n = {n1:,}.",
            otherwise="BERT's parameter counts over the lengths: {bert_counts}; the flattened MLP's: {mlp0} at "
                      "n = {n0:,}, {mlp1} at n = {n1:,}.")
    cross = 2 * 768 + 3072
    c.theory("attention_crossover", "The attention term 2n²d catches up with the rest, 4nd² + 2nd·d_ff, at "
             "n = 2d + d_ff = {cross:,} tokens for BERT-base (d = 768, d_ff = 3,072).", {"cross": cross})
    per_layer = 8 * 768 // 12
    c.theory("attention_memory_crossover", "Per layer and sequence, the score and probability matrices hold 2hn² "
             "numbers and the other outputs counted here 16nd (q, k, v, the weighted values P V, the output "
             "projection and LayerNorm: 6nd; the feed-forward's two 4nd outputs; its output and LayerNorm: 2nd): "
             "equal at n = 8d/h = {per_layer:,} tokens for BERT-base (h = 12). The embeddings' outputs add to the "
             "rest, so the matrices pass half of the whole just above n = {per_layer:,}.", {"per_layer": per_layer})
    mac = [r["attention_macs"] / r["macs"] for r in rows]
    act = [r.get("attention_matrix_bytes", r["attention_activation_bytes"]) / r["activation_bytes"] for r in rows]
    n_act = next((r["n"] for r, x in zip(rows, act) if x > 0.5), None)
    n_mac = next((r["n"] for r, x in zip(rows, mac) if x > 0.5), None)
    as_theory = all((x > 0.5) == (r["n"] > cross) for r, x in zip(rows, mac))
    at = rows.index(next(r for r in rows if r["n"] == n_act)) if n_act else len(rows) - 1
    mac_at = {r["n"]: x for r, x in zip(rows, mac)}
    then = (f"their multiply-adds stay below half up to n = {rows[-1]['n']:,} ({mac[-1]:.0%})" if n_mac is None
            else f"their multiply-adds pass half at n = {n_mac:,} ({mac_at[n_mac]:.0%})")
    before = (f"; {act[at - 1]:.1%} at n = {rows[at - 1]['n']:,}" if n_act is not None and at > 0 else "")
    act_list = ", ".join(f"{r['n']:,}: {x:.0%}" for r, x in zip(rows, act))
    mac_list = ", ".join(f"{r['n']:,}: {x:.0%}" for r, x in zip(rows, mac))
    c.check("attention_memory_first", n_act is not None and (n_mac is None or n_act < n_mac) and as_theory,
            cause=False,
            numbers={"n_act": n_act, "n_mac": n_mac, "act_share": act[at], "mac_share": mac[at], "cross": cross,
                     "act_shares": act, "mac_shares": mac, "n_max": rows[-1]["n"], "lengths": [r["n"] for r in rows]},
            finding="Of the lengths counted, attention's score and probability matrices first take more than half "
                    "of BERT's activation memory at n = {n_act:,} ({act_share:.0%}" + before + "), where they do "
                    "{mac_share:.1%} of the multiply-adds; " + then + ", as the theory's crossover at {cross:,} "
                    "says.",
            otherwise="Expected attention's score and probability matrices to pass half of BERT's activation memory "
                      "at a shorter length than its multiply-adds pass half of the arithmetic, which theory puts at "
                      "n = {cross:,}; the run shows the matrices' share of the memory at n = " + act_list
                      + " and attention's share of the multiply-adds at n = " + mac_list + ".")


def _claims_cnn(c: Claims, s: dict) -> None:
    cases = s["cnn_case_study"]
    share = {x["model"]: (x["conv_params"] / x["params"], x["conv_macs"] / x["macs"],
                          x["conv_connections"] / x["conv_params"]) for x in cases}
    numbers = {f"{k}_{what}": v[i] for k, v in share.items() for i, what in enumerate(("params", "macs", "uses"))}
    listing = "; ".join(f"{x['title']} {_pct(share[x['model']][1])}" for x in cases)
    c.check("conv_most_arithmetic", all(m > 0.5 for _, m, _ in share.values()), headline=True, numbers=numbers,
            finding=f"Convolutions do most of the arithmetic in every CNN here ({listing} of the multiply-adds).",
            otherwise=f"Convolutions' share of the multiply-adds: {listing}; not the majority in every CNN.")
    listing = "; ".join(f"{x['title']} {_pct(share[x['model']][1])} of the multiply-adds against "
                        f"{_pct(share[x['model']][0])} of the parameters, {share[x['model']][2]:.0f} connections "
                        f"per weight" for x in cases)
    c.check("conv_weight_sharing", all(m > p and u > 1 for p, m, u in share.values()), headline=True,
            numbers=numbers,
            finding=f"In every CNN the convolutions' share of the multiply-adds exceeds their share of the "
                    f"parameters, because each convolution weight serves many connections ({listing}).",
            otherwise=f"The convolutions' shares: {listing}; not every CNN does more arithmetic than its share of "
                      f"parameters in them.")
    by = {x["model"]: x for x in cases}
    al, rn = by.get("alexnet-2012"), by.get("resnet50")
    if al:
        fc_p, fc_m = 1 - share["alexnet-2012"][0], 1 - share["alexnet-2012"][1]
        c.check("alexnet_fc_params", fc_p > 0.5 and fc_m < 0.5,
                numbers={"fc_params": fc_p, "fc_macs": fc_m, "params": si(al["params"])},
                finding="AlexNet is the exception for parameters: its fully connected layers hold {fc_params:.1%} "
                        "of its {params} parameters but do only {fc_macs:.1%} of its multiply-adds.",
                otherwise="AlexNet's fully connected layers hold {fc_params:.1%} of its {params} parameters and do "
                          "{fc_macs:.1%} of its multiply-adds: not most of the parameters for a minority of the "
                          "arithmetic.")
    if al and rn:
        c.check("resnet_drops_big_fc", share["resnet50"][0] > 0.5 and rn["params"] < al["params"]
                and rn["macs"] > al["macs"],
                numbers={"conv_params": share["resnet50"][0], "params_x": rn["params"] / al["params"],
                         "macs_x": rn["macs"] / al["macs"]},
                finding="ResNet-50, with one small fully connected layer, keeps {conv_params:.1%} of its parameters "
                        "in convolutions, and has {params_x:.2f}x AlexNet's parameters for {macs_x:.1f}x its "
                        "multiply-adds.",
                otherwise="ResNet-50 keeps {conv_params:.1%} of its parameters in convolutions, with "
                          "{params_x:.2f}x AlexNet's parameters and {macs_x:.1f}x its multiply-adds.")


def _claims_timing(c: Claims, s: dict) -> None:
    rows = s["timing"]["rows"]
    by = {}
    for r in rows:
        by.setdefault(r["model"], {})[r["batch"]] = r
    big = max(r["batch"] for r in rows)
    small = min(by, key=lambda n: by[n][1]["macs_per_example"])
    one, many = by[small][1], by[small][big]
    ratio = many["ms_per_batch"] / one["ms_per_batch"]
    c.check("call_overhead", ratio < 2,
            numbers={"title": one["title"], "ms1": one["ms_per_batch"], "ms_many": many["ms_per_batch"],
                     "batch": big, "ratio": ratio, "macs": one["macs_per_example"]},
            finding="A forward call of the {title} ({macs:,} multiply-adds per example) takes {ms1:.4g} ms at "
                    "batch 1 and {ms_many:.4g} ms at batch {batch}: {batch} times the work for {ratio:.2f} times "
                    "the time, so the time is per-call overhead, not arithmetic.",
            otherwise="A forward call of the {title} takes {ms1:.4g} ms at batch 1 and {ms_many:.4g} ms at batch "
                      "{batch}: {batch} times the work took {ratio:.2f} times the time, not under 2 times as a cost "
                      "made of per-call overhead would.")
    cut = {n: b[1]["ms_per_example"] / b[big]["ms_per_example"] for n, b in by.items()}
    listing = ", ".join(f"{by[n][1]['title']} {x:.2f}" for n, x in cut.items())
    if len(by) >= 2:
        large = max(by, key=lambda n: by[n][1]["macs_per_example"])
        c.check("batching_helps_small_models", cut[small] > cut[large],
                numbers={"batch": big, "small": by[small][1]["title"], "large": by[large][1]["title"],
                         "cut_small": cut[small], "cut_large": cut[large],
                         **{f"speedup_{n}": x for n, x in cut.items()}},
                finding="Batch {batch} divides the {small}'s time per example by {cut_small:.2f} but {large}'s only "
                        "by {cut_large:.2f}: batching pays most where per-call overhead dominates "
                        f"(time per example at batch 1 over batch {big}: {listing}).",
                otherwise="Batch {batch} divides the {small}'s time per example by {cut_small:.2f} and {large}'s by "
                          "{cut_large:.2f}: batching did not pay more for the smaller model "
                          f"(time per example at batch 1 over batch {big}: {listing}).")
        best = max(rows, key=lambda r: r["gflops_per_s"])
        lo, hi = by[small][1]["gflops_per_s"], by[large][1]["gflops_per_s"]
        c.check("rate_grows_with_work", hi > 10 * lo,
                numbers={"small": by[small][1]["title"], "large": by[large][1]["title"], "lo": lo, "hi": hi,
                         "best": best["gflops_per_s"], "best_title": best["title"], "best_batch": best["batch"]},
                finding="The achieved rate grows with the work per call: at batch 1 the {small} reaches {lo:.3g} "
                        "GFLOP/s and {large} {hi:.3g}; the best, {best:.3g} GFLOP/s, is {best_title} at batch "
                        "{best_batch}.",
                otherwise="At batch 1 the {small} reaches {lo:.3g} GFLOP/s and {large} {hi:.3g}, not more than "
                          "10 times as much; the best, {best:.3g} GFLOP/s, is {best_title} at batch {best_batch}.")


def make_claims(s: dict, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers of ``s`` (the summary), stated as a finding only where
    its predicate holds."""
    c = Claims(quick=quick)
    c.quick = False             # the counts are the same in a quick and a full run: quick mode never explains them
    _claims_checks(c, s)
    c.theory("transformer_layer_cost", "A Transformer layer over n tokens of width d costs 4nd² (projections) + "
             "2nd·d_ff (feed-forward) + 2n²d (attention) multiply-adds, with parameters independent of n.")
    c.theory("training_6n", "A forward pass costs about 2N FLOPs per token and training about 6N (forward and "
             "backward), N the parameters (Kaplan et al. 2020).")
    _claims_memory(c, s)
    _claims_sequence(c, s)
    _claims_cnn(c, s)
    c.quick = quick             # a quick run times fewer models, with fewer repeats
    _claims_timing(c, s)
    return c


# -- the document -------------------------------------------------------------------------------------------------

def _checks(doc, s):
    doc.heading("Checked against the published figures")
    doc.paragraph("Tolerance: 1% where the architecture is known exactly, 10% where the publication rounds. "
                  "Every row is also a test (`tests/test_costs.py`).")
    doc.table(["model", "quantity", "computed", "published", "difference", "tolerance", "within", "why"],
              [[ARCHITECTURES[c["model"]].title, c["quantity"], _exact(c["computed"]), _exact(c["published"]),
                f"{100 * c['relative_difference']:+.2f}%",
                f"{100 * c['tolerance']:.0f}%", "yes" if c["within"] else "**NO**", c["why"]] for c in s["checks"]])
    doc.bullets([f"{ARCHITECTURES[c['model']].title}, {c['quantity']}: {c['source']}." for c in s["checks"]])
    doc.claims(["published_figures_match"])
    doc.paragraph("Cross-checks of the counting: `torch.utils.flop_counter.FlopCounterMode` runs on the same "
                  "forward pass as the hooks; GPT-3's module is compared with the closed forms N = L(12d² + 13d) + "
                  "(V + n_ctx)d + 2d and, per token over a context of n, L·12d² + Vd + 2Lnd multiply-adds.")
    doc.claims(["hooks_match_flop_counter", "gpt3_closed_form"])
    doc.paragraph("**Training compute.** C = 6ND for N parameters and D tokens (GPT-3: D = 300B); Kaplan et al. "
                  "add the attention term 6 n_layer n_ctx d D. The Transformer base was trained for 100,000 steps "
                  "of about 25,000 source and 25,000 target tokens; its estimate is three times our counted forward "
                  "FLOPs per token pair (at 128 + 128 tokens) over those steps. The paper's 3.3e18 is training time "
                  "x GPUs x an assumed sustained rate (12 h x 8 P100 x 9.5 TFLOPS): the two numbers measure "
                  "different things, so they are compared, not tested.")
    doc.claims(["attention_term_small", "transformer_paper_above_count", "transformer_ratio_reading"])


def _layers(doc, profiles):
    doc.heading("Layer by layer")
    for name in ("lenet5", "alexnet"):
        p = profiles[name]
        doc.heading(f"{ARCHITECTURES[name].title} ({p.input_desc})", 3)
        doc.table(["layer", "type", "output", "parameters", "MACs", "connections"],
                  [[l.name, l.kind, " x ".join(map(str, l.output_shape[1:])), f"{l.params:,}", f"{l.macs:,}",
                    f"{l.connections:,}"] for l in p.layers if l.params or l.macs]
                  + [["total", "", "", f"{p.params:,}", f"{p.macs:,}", f"{p.connections:,}"]])
    for name in ("resnet50", "bert-base", "gpt3"):
        p = profiles[name]
        doc.heading(f"{ARCHITECTURES[name].title} ({p.input_desc}), by layer type", 3)
        doc.table(["type", "layers", "parameters", "MACs", "share of MACs", "activations"],
                  [[kind, t["layers"], f"{t['params']:,}", si(t["macs"]), f"{100 * t['macs'] / p.macs:.1f}%",
                    nbytes(t["activation_bytes"])] for kind, t in sorted(p.by_kind().items(),
                                                                          key=lambda kv: -kv[1]["macs"])])
    doc.paragraph("Every layer of every model is in `layers_<model>.csv`.")


def _perceptron_vs_transformer(doc, s):
    rows = s["sequence_scaling"]
    doc.heading("Perceptrons and Transformers: memory, complexity, scalability")
    doc.paragraph("**Memory.** A parameter takes 4 bytes in fp32 and 2 in fp16 (the first table); training with "
                  "Adam keeps weights, gradients and two moments, 16 bytes per parameter in fp32, and the layer "
                  "outputs of the forward pass for the backward one (the activations).")
    doc.claims(["gpt3_training_memory", "gpt3_activations_exceed_an_accelerator"])
    doc.paragraph("Where activations outgrow the memory, training recomputes them (activation checkpointing) or "
                  "never materialises the attention matrix (memory-efficient attention kernels).")
    doc.paragraph("**Computational complexity.** A perceptron on d inputs costs d multiply-adds per example, an MLP "
                  "the sum of products of adjacent widths; both see a fixed-size input, so a sequence of n tokens "
                  "must be flattened into n x d inputs and the first layer's weights grow with n.")
    doc.claims(["transformer_layer_cost"])
    doc.paragraph("Counted for BERT-base (d = 768, 12 layers, positions for the longest n), against an MLP reading "
                  "the flattened n x 768 input with one hidden layer of 3,072. \"Attention share\" is the share of "
                  "the multiply-adds in the two attention products (Q K^T and P V). \"Score + probability "
                  "matrices\" is the share of the activation memory taken by the h score matrices of n x n per "
                  "layer and their softmax (the probabilities); the attention-weighted values P V, n x d per "
                  "layer, count with the rest.")
    matrices = [r.get("attention_matrix_bytes", r["attention_activation_bytes"]) for r in rows]
    doc.table(["n", "BERT MACs", "attention share", "closed form", "activations", "score + probability matrices",
               "MLP parameters", "MLP MACs"],
              [[r["n"], si(r["macs"]), f"{100 * r['attention_macs'] / r['macs']:.1f}%",
                "equal" if r["formula_macs"] == r["macs"] else si(r["formula_macs"]), nbytes(r["activation_bytes"]),
                f"{nbytes(m)} ({100 * m / r['activation_bytes']:.1f}%)", si(r["mlp_params"]), si(r["mlp_macs"])]
               for r, m in zip(rows, matrices)])
    doc.claims(["hooks_match_encoder_formula", "attention_quadratic", "sequence_params", "attention_crossover",
                "attention_memory_crossover", "attention_memory_first"])
    doc.image("sequence_scaling.png", "cost against sequence length")
    doc.paragraph("**Scalability.** The perceptron rule updates after each example and a recurrent network must "
                  "walk a sequence step by step; a Transformer computes all n positions of a layer as a few "
                  "large matrix products, which is what GPUs do well, and its cost follows simple laws:")
    doc.claims(["training_6n", "gpt3_forward_near_2n"])
    doc.paragraph("The price is the n² attention term in time and memory, which limits the context length (sparse "
                  "or linear attention and memory-efficient kernels attack it), and the memory of the weights "
                  "themselves, which must be split across devices once they pass one accelerator's memory.")


def _cnn_case(doc, s):
    doc.heading("Case study: how CNNs transformed computer vision")
    cases = s["cnn_case_study"]
    doc.paragraph("**Weight sharing**: a convolution reuses each weight at every position of its input, where a "
                  "locally connected layer without sharing would need a weight per connection. The last column "
                  "counts the convolutions' connections per convolution weight.")
    doc.table(["model", "year", "parameters", "forward MACs", "conv share of parameters", "conv share of MACs",
               "conv connections per conv weight"],
              [[c["title"], c["year"], si(c["params"]), si(c["macs"]), _pct(c["conv_params"] / c["params"]),
                _pct(c["conv_macs"] / c["macs"]), f"{c['conv_connections'] / c['conv_params']:.0f}"]
               for c in cases])
    doc.claims(["conv_most_arithmetic", "conv_weight_sharing", "alexnet_fc_params", "resnet_drops_big_fc"])
    doc.image("cnn_shares.png", "CNN parameter and compute shares")
    doc.paragraph("**Results** (published, not measured here): LeNet-5 reached 0.95% test error on MNIST (LeCun et "
                  "al. 1998); AlexNet won ILSVRC-2012 with 15.3% top-5 error against 26.2% for the next entry, "
                  "after training five to six days on two GTX 580 GPUs (Krizhevsky et al. 2012); ResNet won "
                  "ILSVRC-2015 with 3.57% top-5 error (He et al. 2015). Between 2012 and 2015, convolutional "
                  "networks trained on GPUs replaced hand-designed features as the state of the art on ImageNet.")


def _timing(doc, s):
    t = s["timing"]
    doc.heading("Measured: forward time on this CPU")
    doc.paragraph(f"{t['cpu']}, torch {t['torch']}, {t['threads']} thread{'s' if t['threads'] > 1 else ''}, "
                  f"load average {t['load_average_before'][0]:.2f} before and {t['load_average_after'][0]:.2f} "
                  f"after (a shared machine: compare rows of one run, not runs). Median of repeats after warm-up, "
                  f"random weights, eval mode, no gradients; achieved GFLOP/s = 2 x counted MACs / time. Speed "
                  f"depends on the machine and its load: these claims are never tested. In the figure, the grey "
                  f"lines mark constant achieved rates.")
    doc.table(["model", "batch", "ms per batch", "IQR ms", "repeats", "ms per example", "MACs per example",
               "GFLOP/s"],
              [[r["title"], r["batch"], f"{r['ms_per_batch']:.4g}",
                f"{r['iqr_ms_per_batch']:.2g}" if r["repeats"] > 2 else "-", r["repeats"],
                f"{r['ms_per_example']:.4g}", si(r["macs_per_example"]), f"{r['gflops_per_s']:.3g}"]
               for r in t["rows"]])
    doc.claims(["call_overhead", "batching_helps_small_models", "rate_grows_with_work"])
    doc.image("timing.png", "forward time against multiply-adds")


def cost_report(s: dict, profiles: dict) -> Document:
    """The page's document from the lab's summary ``s`` and the CostProfiles: what was counted and how, its
    tables and figures; findings are claims (``make_claims``)."""
    doc = Document(TITLE)
    doc.paragraph("Every model below is a PyTorch module built layer by layer as published (the large ones on "
                  "the `meta` device, which records shapes and allocates nothing). Parameters are counted from "
                  "the module; multiply-adds (MACs, 1 MAC = 2 FLOPs) by forward hooks on every Linear, "
                  "convolution and attention product for one example; activation memory is the sum of every "
                  "layer's output in fp32. Element-wise operations are not counted, as in the papers and in "
                  "torchvision. A quick run (`--quick`) counts and checks everything as the full run does and "
                  "times only the three smallest models, with fewer repeats.")
    _models_table(doc, s["models"])
    doc.paragraph("The figure plots the table against the year of publication; the training points are GPT-3's "
                  "6ND and the Transformer base paper's own estimate (see below).")
    doc.image("cost_by_year.png", "parameters and compute against year")
    _checks(doc, s)
    _layers(doc, profiles)
    _perceptron_vs_transformer(doc, s)
    _cnn_case(doc, s)
    _timing(doc, s)
    return doc
