"""The attention lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.attention.settings import FULL, Settings
from nnlab.labs.attention.tasks import TASKS

__all__ = ["report", "make_claims", "TITLE"]

TITLE = "Embeddings and attention: a tiny transformer encoder"
REVERSE_TARGET = 0.99          # the bar for reverse with positions (full run)
MIRROR = 0.5                   # a head "draws the anti-diagonal" when it puts this much weight on the mirror key
CEILING_TOLERANCE = 0.03       # the measured no-position accuracy may exceed the expected ceiling by sampling noise
EQUIVARIANT = 1e-3             # max |f(Px) - P f(x)| of a float32 model that counts as equivariant
SCRATCH_TOLERANCE = 1e-10
SAME_TOKEN = 2.0               # seeking the own digit: at least this many times uniform attention's weight on it


def _head(d: dict) -> tuple[str, float]:
    name = max(d, key=d.get)
    return name, d[name]


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """Every sentence from this run's numbers, each a finding only where its predicate holds."""
    c = Claims(quick=quick)
    acc, ceiling = summary["token_accuracy"], summary["equivariant_ceiling"]
    tasks = list(acc)
    longer = (f"this quick run trains {s.steps} steps per model, the full run {FULL.steps}; run without --quick"
              if quick else None)

    c.theory("equivariance_theory",
             "Without positional encoding the encoder is permutation-equivariant: the embedding, the layer norms, "
             "the feed-forward nets and the output layer act on each position alone, and self-attention without a "
             "mask computes softmax(Q K^T / sqrt(d)) V, which permuting the positions only permutes (rows of Q, "
             "rows and columns of the weights, rows of V). So f(P x) = P f(x) for every permutation P, whatever the "
             "weights: a position's output is one function of its own token and the multiset of all tokens. "
             "Histogram is such a function (its own token's count in the multiset); reverse and sort are not (the "
             "answer at a position depends on where it is), so no setting of the weights can learn them.")
    learned = [t for t in tasks if acc[t]["pe"] >= s.learned]
    c.check("positions_learn_every_task", len(learned) == len(tasks), headline=True, cause=longer,
            numbers={**{f"{t}_pe": acc[t]["pe"] for t in tasks}, "learned": s.learned, "n": len(learned),
                     "tasks": len(tasks), "steps": s.steps},
            finding="With positional encoding the encoder learns every task after {steps} steps: held-out token "
                    "accuracy " + ", ".join(f"{t} {{{t}_pe:.3f}}" for t in tasks) + " (learned: >= {learned}).",
            otherwise="With positional encoding the encoder learned {n} of {tasks} tasks after {steps} steps: "
                      "held-out token accuracy " + ", ".join(f"{t} {{{t}_pe:.3f}}" for t in tasks)
                      + " (learned: >= {learned}).")

    positional = [t for t in tasks if t != "histogram"]
    if "histogram" in tasks and positional:
        h = acc["histogram"]["no_pe"]
        worst_gap = min(h - acc[t]["no_pe"] for t in positional)
        holds = h >= s.learned and worst_gap >= s.far
        numbers = {**{f"{t}_no_pe": acc[t]["no_pe"] for t in tasks}, "learned": s.learned, "far": s.far,
                   "gap": worst_gap}
        listed = " and ".join(f"{t} {{{t}_no_pe:.3f}}" for t in positional)
        c.check("no_positions_only_histogram", holds, headline=True, cause=longer if h < s.learned else False,
                numbers=numbers,
                finding="Without positional encoding, as the theory says, histogram is still learned (held-out token "
                        "accuracy {histogram_no_pe:.3f}) while " + listed + " stay far below it (at least {gap:.3f} "
                        "under; far: >= {far}).",
                otherwise="Without positional encoding this run does not show histogram learned with " + listed
                          + " far below it: histogram {histogram_no_pe:.3f} (learned: >= {learned}), the smallest "
                          "gap {gap:.3f} (far: >= {far}).")
    if positional:
        c.theory("ceiling_theory",
                 "How far below: an equivariant model's output at a position is, for a given sequence, one guess "
                 "g(v) per digit v the sequence holds, whatever the position. Averaged over the orderings of the "
                 "digits, for sort any guess g is right count(g)/n of the time (the best: the most frequent digit); "
                 "for reverse g(v) is right (count(g) - [g = v])/(n - 1) of the time at a position that is not its "
                 "own mirror, and always when g(v) = v at the middle of an odd length. The best rule's expected "
                 "accuracy on this run's test sequences: "
                 + ", ".join(f"{t} {{{t}:.3f}}" for t in positional) + ", where guessing a digit scores 0.1.",
                 {t: ceiling[t] for t in positional})
        over = max(acc[t]["no_pe"] - ceiling[t] for t in positional)
        c.check("no_positions_at_most_ceiling", over <= CEILING_TOLERANCE, cause=False,
                numbers={**{f"{t}_no_pe": acc[t]["no_pe"] for t in positional},
                         **{f"{t}_ceiling": ceiling[t] for t in positional}, "over": over,
                         "tolerance": CEILING_TOLERANCE},
                finding="Measured without positions, " + ", ".join(
                    f"{t} scores {{{t}_no_pe:.3f}} against a ceiling of {{{t}_ceiling:.3f}}" for t in positional)
                        + ": no model exceeds what an equivariant model can expect (by more than {tolerance} of "
                          "sampling noise).",
                otherwise="Without positions a model scores above the equivariant ceiling by {over:.3f}, more than "
                          "sampling noise ({tolerance}): " + ", ".join(
                    f"{t} {{{t}_no_pe:.3f}} against {{{t}_ceiling:.3f}}" for t in positional) + ".")

    gaps = summary["equivariance_gap"]
    no_pe_gap = max(g["no_pe"] for g in gaps.values())
    pe_gap = min(g["pe"] for g in gaps.values())
    c.check("equivariance_measured", no_pe_gap <= EQUIVARIANT < pe_gap, cause=False,
            numbers={"no_pe": no_pe_gap, "pe": pe_gap, "tolerance": EQUIVARIANT},
            finding="Permuting a test input permutes the outputs of every model without positions: max |f(Px) - "
                    "P f(x)| over the logits is {no_pe:.1e} (float32 rounding), against at least {pe:.3g} for the "
                    "models with positions.",
            otherwise="The measured equivariance does not split as expected: max |f(Px) - P f(x)| is {no_pe:.1e} "
                      "without positions (equivariant: <= {tolerance:g}) and at least {pe:.3g} with them.")

    if "reverse" in tasks:
        r = acc["reverse"]["pe"]
        c.check("reverse_99", r >= REVERSE_TARGET, headline=True, cause=longer,
                numbers={"accuracy": r, "target": REVERSE_TARGET, "test": summary["test_size"]},
                finding="Reverse with positional encoding reaches {accuracy:.4f} held-out token accuracy on {test} "
                        "sequences (target: >= {target}).",
                otherwise="Reverse with positional encoding reaches {accuracy:.4f} held-out token accuracy, below "
                          "the target {target}.")
        name, mass = _head(summary["mirror_attention"]["reverse"])
        c.check("reverse_antidiagonal", mass >= MIRROR, headline=True, cause=longer,
                numbers={"head": name, "mass": mass, "threshold": MIRROR, "uniform": 1 / s.max_length},
                finding="The reverse model's {head} draws the anti-diagonal: on held-out inputs it puts a mean "
                        "weight of {mass:.3f} on the mirrored key n - 1 - i (uniform attention: {uniform:.2f}).",
                otherwise="No head of the reverse model draws a clear anti-diagonal: the most, {head}, puts a mean "
                          "weight of {mass:.3f} on the mirrored key (clear: >= {threshold}).")
    if "histogram" in tasks:
        name, mass = _head(summary["same_token_attention"]["histogram"])
        uniform = summary["same_token_uniform"]["histogram"]
        c.check("histogram_same_token", mass >= SAME_TOKEN * uniform, cause=longer,
                numbers={"head": name, "mass": mass, "uniform": uniform, "factor": SAME_TOKEN},
                finding="The histogram model's {head} looks for the query's own digit: a mean weight of {mass:.3f} "
                        "on keys that hold it, against {uniform:.3f} under uniform attention.",
                otherwise="No head of the histogram model seeks out the query's own digit: the most, {head}, puts a "
                          "mean weight of {mass:.3f} on keys that hold it, under {factor:g} x the {uniform:.3f} of "
                          "uniform attention.")
    e = summary["scratch_attention_max_rel_error"]
    c.check("scratch_attention_matches_torch", e <= SCRATCH_TOLERANCE, headline=True, cause=False,
            numbers={"error": e, "tolerance": SCRATCH_TOLERANCE, "cases": len(summary["scratch_attention_cases"])},
            finding="Scaled dot-product attention written in NumPy float64, forward and backward by hand, matches "
                    "torch.nn.functional.scaled_dot_product_attention and its autograd gradients in float64 to a "
                    "max relative error of {error:.1e} over {cases} cases, with and without the causal mask "
                    "(tolerance {tolerance:g}).",
            otherwise="The from-scratch attention differs from torch's by a max relative error of {error:.1e}, "
                      "above {tolerance:g}.")
    return c


def _f(x, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def report(summary: dict, s: Settings) -> Document:
    acc, ceiling = summary["token_accuracy"], summary["equivariant_ceiling"]
    doc = Document(TITLE)
    doc.heading("The tasks and the encoder")
    doc.paragraph(f"Each sequence has n digits, n drawn uniformly from {s.min_length} to {s.max_length}, each digit "
                  f"uniform on 0-9; shorter sequences are padded to {s.max_length} with a PAD token the model sees "
                  "(no mask), and only digits are trained on and scored. Every position outputs a class:")
    doc.bullets([f"**{t}**: {TASKS[t]}" for t in acc])
    doc.paragraph(f"The encoder: a token embedding of width {s.width}, the sinusoidal positional encoding of "
                  f"Vaswani et al. added to it (or not), {s.layers} pre-norm block(s) of bidirectional multi-head "
                  f"self-attention ({s.heads} heads of {s.width // s.heads}) and a feed-forward net (width "
                  f"{4 * s.width}, relu), a final layer norm and one linear output per position; "
                  f"{summary['parameters']:,} parameters, the same with and without positions. Adam, learning "
                  f"rate {s.lr:g} with a cosine decay to 0, {s.steps} steps of {s.batch_size} fresh sequences, "
                  f"seed {s.seed}; the {s.test_size} held-out test sequences per task are never trained on (a "
                  "generated training sequence equal to one is dropped). Token accuracy: the share of the test "
                  "digits whose output is right.")
    doc.heading("Positional encoding on and off")
    doc.table(["task", "with positions", "without positions", "equivariant ceiling", "final training loss with",
               "without"],
              [[t, _f(acc[t]["pe"]), _f(acc[t]["no_pe"]), _f(ceiling[t]), _f(summary["final_loss"][t]["pe"]),
                _f(summary["final_loss"][t]["no_pe"])] for t in acc])
    doc.claims(["equivariance_theory", "positions_learn_every_task", "no_positions_only_histogram",
                "ceiling_theory", "no_positions_at_most_ceiling", "equivariance_measured", "reverse_99"])
    doc.paragraph("The equivariance check permutes each of 500 test sequences (padding included) at random and "
                  "compares the model's logits on it with its permuted logits.")
    doc.image("attention_accuracy.png", "token accuracy with and without positions")
    doc.table(["task", "positions"] + [f"n = {n}" for n in next(iter(summary["accuracy_by_length"].values()))["pe"]],
              [[t, words] + [_f(v) for v in summary["accuracy_by_length"][t][key].values()]
               for t in acc for key, words in (("pe", "with"), ("no_pe", "without"))])

    doc.heading("Attention maps")
    doc.paragraph("Every head of every layer, for held-out inputs of different lengths: row i is what query "
                  "position i attends to. The mirror weight is a head's mean weight on the key n - 1 - i, the "
                  "same-token weight its mean weight on keys holding the query's digit (over 500 test sequences).")
    rows = []
    for t in acc:
        for head, mass in summary["mirror_attention"][t].items():
            rows.append([t, head, _f(mass), _f(summary["same_token_attention"][t][head])])
    doc.table(["task", "head", "mirror weight", "same-token weight"], rows)
    doc.claims(["reverse_antidiagonal", "histogram_same_token"])
    for t in acc:
        doc.image(f"attention_maps_{t}.png", f"attention maps, {t}")
    doc.paragraph(f"The same inputs through the {next(iter(acc))} model trained without positions. By the "
                  "equivariance argument above its maps can depend on the tokens alone: equal tokens get equal rows, "
                  "and a row weighs equal keys equally.")
    doc.image("attention_maps_no_pe.png", "attention maps without positions")

    doc.heading("Token embeddings")
    doc.paragraph("The 11 rows of each model's embedding table (digits and PAD), centred and projected on their "
                  "first two principal components. The embeddings start as N(0, 1) draws (torch's default); the "
                  "table gives the share of variance the two components explain and the largest |Spearman rho| "
                  "between either component and the digit's value (1: the digits lie in their numeric order).")
    doc.table(["task", "PC 1", "PC 2", "|Spearman rho| with the digit"],
              [[t, f"{p['explained'][0]:.0%}", f"{p['explained'][1]:.0%}", _f(p["digit_order_rho"])]
               for t, p in summary["embedding_pca"].items()])
    doc.image("attention_embeddings.png", "token embeddings by PCA")

    doc.heading("From scratch: scaled dot-product attention")
    doc.paragraph("`nnlab.scratch.attention`: O = softmax(Q K^T / sqrt(d)) V in NumPy float64 (the causal mask "
                  "sets S[i, j] = -inf for j > i), and its backward pass by hand: dV = P^T dO, dP = dO V^T, "
                  "dS = P * (dP - rowsum(dP * P)), dQ = dS K / sqrt(d), dK = dS^T Q / sqrt(d). Compared with "
                  "torch in float64 on random inputs and a random upstream gradient; relative error: "
                  "max |a - b| / max |b| per array.")
    doc.table(["batch, heads, n, m, d, e", "causal", "output", "dQ", "dK", "dV"],
              [[", ".join(map(str, case["shape"])), "yes" if case["causal"] else "no"]
               + [f"{case['errors'][k]:.1e}" for k in ("out", "dq", "dk", "dv")]
               for case in summary["scratch_attention_cases"]])
    doc.claims(["scratch_attention_matches_torch"])
    return doc
