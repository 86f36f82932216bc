"""The precision lab's claims (built from the measured rows) and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["make_claims", "report", "TITLE"]

TITLE = "Mixed precision on this machine"
SAME_ACCURACY = 0.02     # a mixed-precision run ends with the same accuracy when within this of fp32's
FIRST_EPOCH = 0.01       # in the first epoch the losses differ by rounding only: less than 1 % apart
LOSS_FLOOR = 2.0         # bf16's final training loss at least this times fp32's: it stopped short
COSTS, PAYS = 0.9, 1.1   # bf16 costs time below this speed-up, pays off above this one
# The workloads whose matrix products are large enough that bf16 arithmetic can pay for autocast's casts.
LARGE_PRODUCTS = ("digits-wide",)


def _row(rows, workload, device, precision):
    return next((r for r in rows if r["workload"] == workload and r["device"] == device
                 and r["precision"] == precision), None)


def make_claims(summary: dict) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    quick = summary["quick"]
    c = Claims(quick=quick)
    rows = summary["rows"]
    flags = summary["cpu_bf16_flags"]
    for name, ws in summary["workload_settings"].items():
        for device in ("cpu", "cuda"):
            ref = _row(rows, name, device, "fp32")
            if ref is None:
                continue
            for precision in ("bf16", "fp16"):
                r = _row(rows, name, device, precision)
                if r is not None:
                    _accuracy_claim(c, name, ws, ref, r, headline=device == "cpu")
        ref, r = _row(rows, name, "cpu", "fp32"), _row(rows, name, "cpu", "bf16")
        first = r["first_epoch_rel_loss_diff_vs_fp32"]
        c.check(f"{name}_first_epoch_rounding", first < FIRST_EPOCH,
                numbers={"first": first, "max": r["max_rel_loss_diff_vs_fp32"], "epochs": r["epochs"]},
                finding=f"{name}: the runs start together: in epoch 1 the bf16 run's training loss lies {{first:.1e}} "
                        "(relative) from fp32's; over {epochs} epochs they part by up to {max:.2g} (relative).",
                otherwise=f"{name}: already in epoch 1 the bf16 run's training loss lies {{first:.2g}} (relative) from "
                          "fp32's, 1 % or more; over {epochs} epochs they part by up to {max:.2g} (relative).")
        speed = r["speedup_vs_fp32"]
        numbers = {"ms16": r["ms_per_epoch"], "ms32": ref["ms_per_epoch"], "speed": speed}
        times = "{ms16:.4g} against {ms32:.4g} ms an epoch, {speed:.2f}x"
        timing = "this quick run times few epochs, and other work on the machine can sway them" if quick else None
        if name in LARGE_PRODUCTS:
            c.check(f"{name}_bf16_time", speed > PAYS, numbers=numbers,
                    cause=timing if flags else "this CPU has no bfloat16 instructions",
                    finding=f"{name}: bf16 pays off on this CPU ({times}).",
                    otherwise=f"{name}: bf16 does not pay off on this CPU ({times}).")
        else:
            c.check(f"{name}_bf16_time", speed < COSTS, numbers=numbers, cause=timing,
                    finding=f"{name}: bf16 costs time on this CPU ({times}).",
                    otherwise=f"{name}: bf16 does not cost time on this CPU ({times}).")

    lesson = ("Where the training loss gets small (the seed workload's 2000 epochs take it to about 1e-3), bf16's "
              "final training loss stays well above fp32's")
    if quick:
        c.not_shown("bf16_loss_floor", lesson)
    else:
        ratios = {name: _row(rows, name, "cpu", "bf16")["final_loss"] / _row(rows, name, "cpu", "fp32")["final_loss"]
                  for name in summary["workload_settings"]}
        worst = max(ratios, key=ratios.get)
        numbers = {"worst": worst, "ratio": ratios[worst], "l16": _row(rows, worst, "cpu", "bf16")["final_loss"],
                   "l32": _row(rows, worst, "cpu", "fp32")["final_loss"],
                   "others": ", ".join(f"{n} {x:.3f}x" for n, x in ratios.items() if n != worst) or "none"}
        c.check("bf16_loss_floor", ratios[worst] >= LOSS_FLOOR, numbers=numbers,
                finding="Where the training loss gets small, bf16 stops short of fp32: on {worst} its final training "
                        "loss is {ratio:.1f}x fp32's ({l16:.4g} against {l32:.4g}); on the others {others}.",
                otherwise="bf16's final training loss ends close to fp32's on every workload: at most {ratio:.2f}x, "
                          "on {worst} ({l16:.4g} against {l32:.4g}); on the others {others}.")
    c.theory("bf16_rounding", "bfloat16 keeps float32's 8 exponent bits but only 8 significant bits (float32: 24): "
             "each value it holds is rounded by up to 2^-8, about 0.4 %.")
    c.theory("autocast_cost", "Autocast runs each matrix product in the lower precision, casting its inputs first, "
             "and keeps weights and optimizer state in float32: the casts add per-operation work, so bf16 can only "
             "be faster where the matrix products are large enough to dominate and the hardware has bfloat16 "
             "arithmetic (on a CPU, avx512_bf16 or AMX).")
    return c


def _accuracy_claim(c: Claims, name: str, ws: dict, ref: dict, r: dict, headline: bool) -> None:
    device, precision = r["device"], r["precision"]
    learned = ref["train_accuracy"] >= ws["learned"] and r["train_accuracy"] >= ws["learned"]
    diffs = [abs(r["train_accuracy"] - ref["train_accuracy"])]
    if ref["test_accuracy"] is not None and r["test_accuracy"] is not None:
        diffs.append(abs(r["test_accuracy"] - ref["test_accuracy"]))
    numbers = {"a32": ref["train_accuracy"], "a16": r["train_accuracy"], "t32": ref["test_accuracy"],
               "t16": r["test_accuracy"], "diff": max(diffs), "chance": ws["chance"], "learned": ws["learned"],
               "epochs": r["epochs"], "tolerance": SAME_ACCURACY}
    where = f"{name} on {device}" if device != "cpu" else name
    test = "; test accuracy {t32:.4f} and {t16:.4f}" if numbers["t32"] is not None else ""
    if not learned:
        otherwise = (f"{where}: in {{epochs}} epochs fp32 reached training accuracy {{a32:.4f}} and {precision} "
                     f"{{a16:.4f}} (chance {{chance:g}}, learned: >= {{learned:g}}): a network that has not learned "
                     f"says nothing about precision.")
    else:
        otherwise = (f"{where}: both learned, but {precision}'s accuracy ends {{diff:.4f}} from fp32's (training "
                     f"accuracy {{a32:.4f}} and {{a16:.4f}}{test}), more than {{tolerance:g}}.")
    c.check(f"{name}_{device}_{precision}_same_accuracy" if device != "cpu" else f"{name}_{precision}_same_accuracy",
            learned and max(diffs) <= SAME_ACCURACY, headline=headline, numbers=numbers,
            finding=f"{where}: fp32 and {precision} both learned in {{epochs}} epochs (training accuracy {{a32:.4f}} "
                    f"and {{a16:.4f}}{test}; chance {{chance:g}}) and end within {{diff:.4f}} of each other.",
            otherwise=otherwise)


def report(summary: dict) -> Document:
    """The page's document: the setup, the table and the figure; findings are claims."""
    rows = summary["rows"]
    doc = Document(TITLE)
    doc.paragraph(f"torch {summary['torch']}, one thread; CPU bfloat16 instructions: "
                  f"{', '.join(summary['cpu_bf16_flags']) or 'none'}; CUDA: {summary['cuda'] or 'none'}.")
    doc.paragraph("Every run starts from the same initial weights and batch order; only the arithmetic precision "
                  "differs. Weights and optimizer state stay float32 (autocast), so the runs part only through "
                  "rounding in the forward and backward passes. " + (
                      "fp16 runs on the CUDA device with a gradient scaler." if summary["cuda"] else
                      "fp16 needs a CUDA device and a gradient scaler; this machine has no CUDA device, so there is "
                      "no fp16 row."))
    doc.bullets([f"**{name}**: {summary['workloads'][name]}; {ws['epochs']} epochs; chance accuracy {ws['chance']:g}, "
                 f"learned at a training accuracy >= {ws['learned']:g}"
                 for name, ws in summary["workload_settings"].items()])
    doc.paragraph("Final loss and accuracy: the finished model in eval mode on the whole training set (and test "
                  "set). The loss difference compares the per-epoch training loss (the mean over the epoch's "
                  "batches) of each run with the fp32 run on the same device: relative, in epoch 1 and at most over "
                  "the run. Time: wall time of the run over its epochs, after one warm-up epoch.")
    doc.table(["workload", "device", "precision", "ms/epoch", "speed-up vs fp32", "final training loss", "train acc",
               "test acc", "rel. loss diff vs fp32, epoch 1", "max rel. loss diff vs fp32"],
              [[r["workload"], r["device"], r["precision"], f"{r['ms_per_epoch']:.3f}",
                f"{r['speedup_vs_fp32']:.2f}x", f"{r['final_loss']:.4g}", f"{r['train_accuracy']:.4f}",
                "" if r["test_accuracy"] is None else f"{r['test_accuracy']:.4f}",
                f"{r['first_epoch_rel_loss_diff_vs_fp32']:.2g}", f"{r['max_rel_loss_diff_vs_fp32']:.2g}"]
               for r in rows])
    names = list(summary["workload_settings"])
    doc.heading("Accuracy")
    doc.claims([f"{n}_bf16_same_accuracy" for n in names]
               + [f"{n}_cuda_{p}_same_accuracy" for n in names for p in ("bf16", "fp16")])
    doc.heading("Loss")
    doc.claims(["bf16_rounding"] + [f"{n}_first_epoch_rounding" for n in names] + ["bf16_loss_floor"])
    doc.heading("Time")
    doc.claims(["autocast_cost"] + [f"{n}_bf16_time" for n in names])
    doc.paragraph("One panel per workload: its training loss per epoch (the mean over the epoch's batches), solid on "
                  "the CPU, dashed on CUDA; the legend gives each run's final training accuracy. Last panel: time per "
                  "epoch, labelled with the speed-up against fp32 on the same device.")
    doc.image("precision.png", "loss curves and time per epoch in each precision")
    return doc
