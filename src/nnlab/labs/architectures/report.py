"""The cost lab's analytical report, generated from the computed numbers (nothing in it is typed by hand
except the published figures, which carry their sources)."""
from __future__ import annotations

from nnlab.labs.architectures import ARCHITECTURES
from nnlab.document import Document

__all__ = ["cost_report", "si", "nbytes"]


def si(x: float, digits: int = 3) -> str:
    """1234567 -> '1.23M' (k, M, G, T, P, E)."""
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


def _checks(doc, s):
    doc.heading("Checked against the published figures")
    doc.paragraph("Within 1% where the architecture is exact, within 10% where the publication rounds. "
                  "Every row is also a test (`tests/test_costs.py`).")
    doc.table(["model", "quantity", "computed", "published", "difference", "tolerance", "within", "why"],
              [[ARCHITECTURES[c["model"]].title, c["quantity"], _exact(c["computed"]), _exact(c["published"]),
                f"{100 * c['relative_difference']:+.2f}%",
                f"{100 * c['tolerance']:.0f}%", "yes" if c["within"] else "**NO**", c["why"]] for c in s["checks"]])
    doc.bullets([f"{ARCHITECTURES[c['model']].title}, {c['quantity']}: {c['source']}." for c in s["checks"]])
    f, fc = s["formulas"], s["flop_counter"]
    same = [ARCHITECTURES[n].title for n, v in fc.items() if v["hook_dense_flops"] == v["flop_counter_flops"]]
    doc.paragraph(f"Cross-check of the hooks: `torch.utils.flop_counter.FlopCounterMode`, run on the same forward "
                  f"pass, counts exactly twice the hooks' matmul and convolution multiply-adds for {len(same)} of "
                  f"{len(fc)} models ({', '.join(same)}). GPT-3's module has {s['models']['gpt3']['params']:,} "
                  f"parameters and the closed form L(12d² + 13d) + (V + n_ctx)d + 2d gives "
                  f"{f['gpt3_params_formula']:,}; its forward pass over 2,048 tokens costs "
                  f"{si(s['models']['gpt3']['macs'])} MACs by hooks and {si(f['gpt3_macs_formula'])} by formula.")
    doc.paragraph(f"**GPT-3's training compute** by C = 6ND with N = {si(s['models']['gpt3']['params'], 4)} and "
                  f"D = 300B tokens: {f['gpt3_train_flops_6nd']:.3e} FLOPs (the paper: 3.14e23). Kaplan et al.'s "
                  f"attention term 6 n_layer n_ctx d D adds {100 * (f['gpt3_train_flops_with_attention'] / f['gpt3_train_flops_6nd'] - 1):.1f}%, "
                  f"giving {f['gpt3_train_flops_with_attention']:.3e}. **The Transformer base** was trained for "
                  f"100,000 steps of about 25,000 source and 25,000 target tokens; three times our counted forward "
                  f"FLOPs per token pair (at 128 + 128 tokens) gives {f['transformer_base_train_flops_estimate']:.2e} "
                  f"FLOPs, against the paper's 3.3e18. The paper's figure is not counted operations but training "
                  f"time x GPUs x an assumed sustained rate (12 h x 8 P100 x 9.5 TFLOPS = 3.3e18), so the ratio "
                  f"{3.3e18 / f['transformer_base_train_flops_estimate']:.1f} is roughly the inverse of the "
                  f"hardware's utilisation. Not a test: the two numbers measure different things.")


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
    m, rows = s["models"], s["sequence_scaling"]
    doc.heading("Perceptrons and Transformers: memory, complexity, scalability")
    doc.paragraph(f"**Memory.** The perceptron stores {m['perceptron']['params']} numbers "
                  f"({m['perceptron']['param_bytes_fp32']} bytes) and the seed's MLP {m['seed-mlp']['params']} "
                  f"({nbytes(m['seed-mlp']['param_bytes_fp32'])}); the Transformer base needs "
                  f"{nbytes(m['transformer-base']['param_bytes_fp32'])} in fp32, BERT-base "
                  f"{nbytes(m['bert-base']['param_bytes_fp32'])}, GPT-3 {nbytes(m['gpt3']['param_bytes_fp32'])} "
                  f"({nbytes(m['gpt3']['param_bytes_fp16'])} in fp16). Training with Adam keeps weights, gradients "
                  f"and two moments (16 bytes per parameter in fp32): {nbytes(16 * m['gpt3']['params'])} for GPT-3, "
                  f"at least {16 * m['gpt3']['params'] / 80e9:.0f} GPUs of 80 GB before a single activation is "
                  f"stored. Activations grow with the input: one 2,048-token GPT-3 sequence produces "
                  f"{nbytes(m['gpt3']['activation_bytes'])} of layer outputs in fp32 with dense attention, which is "
                  f"why training recomputes them or never materialises the attention matrix.")
    doc.paragraph("**Computational complexity.** A perceptron on d inputs costs d multiply-adds per example, an MLP "
                  "the sum of products of adjacent widths; both see a fixed-size input, so a sequence of n tokens "
                  "must be flattened into n x d inputs and the first layer's weights grow with n. A Transformer "
                  "layer costs 4nd² (projections) + 2nd·d_ff (feed-forward) + 2n²d (attention) multiply-adds with "
                  "parameters independent of n. Counted for BERT-base (d = 768, 12 layers), against an MLP reading "
                  "the flattened n x 768 input with one hidden layer of 3,072:")
    doc.table(["n", "BERT MACs", "attention share", "closed form", "activations", "attention activations",
               "MLP parameters", "MLP MACs"],
              [[r["n"], si(r["macs"]), f"{100 * r['attention_macs'] / r['macs']:.1f}%",
                "equal" if r["formula_macs"] == r["macs"] else si(r["formula_macs"]), nbytes(r["activation_bytes"]),
                f"{100 * r['attention_activation_bytes'] / r['activation_bytes']:.0f}%", si(r["mlp_params"]),
                si(r["mlp_macs"])] for r in rows])
    a, b = rows[-2], rows[-1]
    doc.paragraph(f"Doubling n from {a['n']} to {b['n']} multiplies BERT's multiply-adds by "
                  f"{b['macs'] / a['macs']:.2f} (the attention part by {b['attention_macs'] / a['attention_macs']:.0f}, "
                  f"the rest by {b['other_macs'] / a['other_macs']:.0f}) and its activation memory by "
                  f"{b['activation_bytes'] / a['activation_bytes']:.2f}; the flattened MLP's parameters and "
                  f"multiply-adds both double. The attention term catches up with the rest where "
                  f"2n²d = 4nd² + 2nd·d_ff, that is at n = 2d + d_ff = {2 * 768 + 3072:,} tokens for BERT-base; "
                  f"its activations dominate much earlier, because the h score matrices of n x n per layer are "
                  f"stored twice (scores and probabilities).")
    doc.image("sequence_scaling.png", "cost against sequence length")
    doc.paragraph("**Scalability.** The perceptron rule updates after each example and a recurrent network must "
                  "walk a sequence step by step; a Transformer computes all n positions of a layer as a few "
                  "large matrix products, which is what GPUs do well, and its parameter count does not depend on "
                  "the input length. Its cost then follows simple laws: about 2N FLOPs per token forward and 6N "
                  "per token trained, so the 175B-parameter GPT-3 on 300B tokens needed "
                  f"{s['formulas']['gpt3_train_flops_6nd']:.2e} FLOPs. The price is the n² attention term in time "
                  "and memory, which limits the context length (sparse or linear attention and memory-efficient "
                  "kernels attack it), and the memory of the weights themselves, which must be split across "
                  "devices once they pass one accelerator's memory.")


def _cnn_case(doc, s):
    doc.heading("Case study: how CNNs transformed computer vision")
    cases = s["cnn_case_study"]
    doc.table(["model", "year", "parameters", "forward MACs", "conv share of parameters", "conv share of MACs",
               "conv connections per conv weight"],
              [[c["title"], c["year"], si(c["params"]), si(c["macs"]), f"{100 * c['conv_params'] / c['params']:.1f}%",
                f"{100 * c['conv_macs'] / c['macs']:.1f}%", f"{c['conv_connections'] / c['conv_params']:.0f}"]
               for c in cases])
    le, al, rn = cases
    doc.paragraph(f"**Weight sharing** is the idea that made the difference: a convolution reuses each weight at "
                  f"every position. LeNet-5's convolutions make {le['conv_connections']:,} connections with "
                  f"{le['conv_params']:,} weights ({le['conv_connections'] / le['conv_params']:.0f} uses each); a "
                  f"locally connected layer without sharing would need a weight per connection. The same idea at "
                  f"scale: AlexNet's convolutions hold {100 * al['conv_params'] / al['params']:.1f}% of its "
                  f"{si(al['params'])} parameters but do {100 * al['conv_macs'] / al['macs']:.1f}% of its "
                  f"{si(al['macs'])} multiply-adds; ResNet-50 drops the big fully connected layers, so "
                  f"{100 * rn['conv_params'] / rn['params']:.0f}% of its parameters and "
                  f"{100 * rn['conv_macs'] / rn['macs']:.1f}% of its arithmetic are convolutions, with "
                  f"{rn['params'] / al['params']:.2f}x AlexNet's parameters and {rn['macs'] / al['macs']:.1f}x its "
                  f"compute.")
    doc.paragraph("**Results** (published): LeNet-5 reached 0.95% test error on MNIST (LeCun et al. 1998); AlexNet "
                  "won ILSVRC-2012 with 15.3% top-5 error against 26.2% for the next entry, after training five to "
                  "six days on two GTX 580 GPUs (Krizhevsky et al. 2012); ResNet won ILSVRC-2015 with 3.57% top-5 "
                  "error (He et al. 2015). Within three years, arithmetic-heavy, parameter-light convolutions "
                  "trained on GPUs replaced hand-designed features in nearly every vision benchmark.")
    doc.image("cnn_shares.png", "CNN parameter and compute shares")


def _timing(doc, s):
    t = s["timing"]
    doc.heading("Measured: forward time on this CPU")
    rows = t["rows"]
    fastest = min(rows, key=lambda r: r["ms_per_batch"])
    best = max(rows, key=lambda r: r["gflops_per_s"])
    doc.paragraph(f"{t['cpu']}, torch {t['torch']}, {t['threads']} thread{'s' if t['threads'] > 1 else ''}, "
                  f"load average {t['load_average_before'][0]:.2f} before and {t['load_average_after'][0]:.2f} "
                  f"after (a shared machine: compare rows of one run, not runs). Median of repeats after warm-up, "
                  f"random weights, eval mode, no gradients; achieved GFLOP/s = 2 x counted MACs / time. The "
                  f"cheapest call ({fastest['title']}, batch {fastest['batch']}) still takes "
                  f"{1e3 * fastest['ms_per_batch']:.0f} µs for {fastest['macs_per_example'] * fastest['batch']:,} "
                  f"multiply-adds: below some millions of multiply-adds per call the time is per-call overhead, "
                  f"not arithmetic, which is why batching helps small models most. The best rate, "
                  f"{best['gflops_per_s']:.3g} GFLOP/s, comes from {best['title']} at batch {best['batch']}.")
    doc.table(["model", "batch", "ms per batch", "IQR ms", "repeats", "ms per example", "MACs per example",
               "GFLOP/s"],
              [[r["title"], r["batch"], f"{r['ms_per_batch']:.4g}",
                f"{r['iqr_ms_per_batch']:.2g}" if r["repeats"] > 2 else "-", r["repeats"],
                f"{r['ms_per_example']:.4g}", si(r["macs_per_example"]), f"{r['gflops_per_s']:.3g}"]
               for r in rows])
    doc.image("timing.png", "forward time against multiply-adds")


def cost_report(s: dict, profiles: dict) -> Document:
    """The whole report from the lab's summary ``s`` and the CostProfiles."""
    doc = Document("The cost of neural network architectures, computed from the models")
    doc.paragraph("Every model below is a PyTorch module built layer by layer as published (the large ones on "
                  "the `meta` device, which records shapes and allocates nothing). Parameters are counted from "
                  "the module; multiply-adds (MACs, 1 MAC = 2 FLOPs) by forward hooks on every Linear, "
                  "convolution and attention product for one example; activation memory is the sum of every "
                  "layer's output in fp32. Element-wise operations are not counted, as in the papers and in "
                  "torchvision.")
    _models_table(doc, s["models"])
    doc.image("cost_by_year.png", "parameters and compute against year")
    _checks(doc, s)
    _layers(doc, profiles)
    _perceptron_vs_transformer(doc, s)
    _cnn_case(doc, s)
    _timing(doc, s)
    return doc
