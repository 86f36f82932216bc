"""The convolution lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.conv.settings import Settings

__all__ = ["report", "make_claims", "TITLE"]

TITLE = "Convolutions and hierarchical features"
SAME_PARAMS = 0.15          # parameter counts within 15 % of each other are "about the same"
OSI_GAIN = 0.02             # training sharpens orientation when the mean OSI rises by at least this much
SCRATCH_TOL = 1e-10


def _drops(d: dict) -> dict[int, float]:
    """{shift: accuracy lost against the unshifted test set} for shifts >= 1."""
    base = d["0"]
    return {int(k): base - v for k, v in d.items() if int(k) > 0}


def _shift_claim(c: Claims, id_: str, name: str, data: dict, headline: bool):
    cnn, mlp = data["cnn"]["shift_accuracy"], data["mlp"]["shift_accuracy"]
    dc, dm = _drops(cnn), _drops(mlp)
    if not dc:
        c.not_shown(id_, f"How shifted test images hurt each network on {name} (no shift was asked for)")
        return
    worse = [s for s in dc if not dc[s] < dm[s]]
    top = max(dc)
    chance = data["chance"]

    def kept(d):             # share of the above-chance accuracy kept at the largest shift
        span = d["0"] - chance
        return (d[str(top)] - chance) / span if span > 0 else float("nan")

    listing = "; ".join(f"{s} px: CNN -{dc[s]:.3f}, MLP -{dm[s]:.3f}" for s in sorted(dc))
    numbers = {"dataset": name, "top": top, "cnn0": cnn["0"], "mlp0": mlp["0"], "cnn_top": cnn[str(top)],
               "mlp_top": mlp[str(top)], "cnn_kept": kept(cnn), "mlp_kept": kept(mlp), "worse": len(worse),
               "shifts": len(dc), **{f"cnn_drop_{s}": v for s, v in dc.items()},
               **{f"mlp_drop_{s}": v for s, v in dm.items()}}
    c.check(id_, not worse, headline=headline, cause=False, numbers=numbers,
            finding="On {dataset}, shifting the test images costs the CNN less accuracy than the MLP at every shift "
                    f"from 1 to {{top}} pixels ({listing}); at {{top}} pixels the CNN keeps {{cnn_kept:.1%}} of its "
                    "accuracy above chance ({cnn0:.3f} -> {cnn_top:.3f}), the MLP {mlp_kept:.1%} ({mlp0:.3f} -> "
                    "{mlp_top:.3f}).",
            otherwise="On {dataset} the CNN does not lose less accuracy than the MLP at every shift: at {worse} of "
                      f"{{shifts}} shifts it loses as much or more ({listing}).")


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, stated as a finding only where it holds."""
    c = Claims(quick=quick)
    main = summary["dataset"]
    data = summary["by_dataset"]

    # -- CNN against MLP
    c.theory("weight_sharing_theory", "A convolution applies the same small filter at every position: its "
             "parameters are the filter's weights, but its multiply-adds are the weights times the positions, and "
             "a pattern learned in one place is detected in every other (the layer is equivariant to shifts; "
             "max-pooling then forgives shifts within its window).")
    for name, d in data.items():
        cnn, mlp = d["cnn"], d["mlp"]
        off = abs(cnn["params"] - mlp["params"]) / cnn["params"]
        numbers = {"dataset": name, "cnn": cnn["test_accuracy"], "mlp": mlp["test_accuracy"],
                   "cnn_params": cnn["params"], "mlp_params": mlp["params"], "off": off, "hidden": d["mlp_hidden"],
                   "tolerance": SAME_PARAMS}
        c.check("cnn_beats_mlp" if name == main else f"cnn_beats_mlp_{name}",
                off <= SAME_PARAMS and cnn["test_accuracy"] > mlp["test_accuracy"], headline=name == main,
                numbers=numbers,
                finding="On {dataset}, at about the same parameter count (CNN {cnn_params:,}, MLP {mlp_params:,} "
                        "with {hidden} hidden units), the CNN reaches test accuracy {cnn:.3f}, the MLP {mlp:.3f}.",
                otherwise="On {dataset} the CNN ({cnn_params:,} parameters) does not beat the MLP ({mlp_params:,} "
                          "parameters, {hidden} hidden units; counts {off:.0%} apart, 'about the same' is within "
                          "{tolerance:.0%}): test accuracy {cnn:.3f} against {mlp:.3f}.")
    d = data[main]
    ratio = d["cnn"]["macs"] / d["mlp"]["macs"]
    c.check("cnn_costs_more_macs", ratio > 1, cause=False,
            numbers={"dataset": main, "cnn_macs": d["cnn"]["macs"], "mlp_macs": d["mlp"]["macs"], "ratio": ratio,
                     "cnn_params": d["cnn"]["params"], "mlp_params": d["mlp"]["params"],
                     "per_param": d["cnn"]["macs"] / d["cnn"]["params"]},
            finding="For the same budget of parameters the CNN does {ratio:.0f} x the MLP's work on one {dataset} "
                    "image ({cnn_macs:,} multiply-adds against {mlp_macs:,}): {per_param:.0f} per parameter, "
                    "as each filter weight is used at every position.",
            otherwise="On {dataset} the CNN does not cost more multiply-adds than the MLP: {cnn_macs:,} against "
                      "{mlp_macs:,}.")

    # -- shifts
    for name, dd in data.items():
        _shift_claim(c, "cnn_degrades_less" if name == main else f"cnn_degrades_less_{name}", name, dd,
                     headline=name == main)

    # -- receptive fields
    for name, fields in summary["receptive_fields"].items():
        if name == main:
            c.theory("receptive_field_theory", "A stage with kernel k and stride s widens the receptive field "
                     "r by (k - 1) times the jump j (the input pixels between neighbouring units) and multiplies "
                     "the jump by s: r <- r + (k - 1) j, j <- j s, from r = j = 1 at the input. Here: "
                     + "; ".join(f"{f['stage']} (k {f['kernel']}, s {f['stride']}) r = {f['field']}, j = {f['jump']}"
                                 for f in fields) + ".")
        inside = [f for f in fields if not f["clipped"]]
        wrong = [f for f in inside if f["measured"] != f["field"]]
        clipped = [f["stage"] for f in fields if f["clipped"]]
        listing = "; ".join(f"{f['stage']}: computed {f['field']}, measured {f['measured']}" for f in fields)
        note = (f" ({', '.join(clipped)} reach past the {data[name]['size']} x {data[name]['size']} image, so their "
                "measured field is clipped)") if clipped else ""
        c.check("receptive_fields_match" if name == main else f"receptive_fields_match_{name}",
                inside and not wrong, headline=name == main, cause=False,
                numbers={"dataset": name, "stages": len(inside), "wrong": len(wrong)},
                finding="On {dataset} the gradient of one unit near the centre of each stage is non-zero exactly "
                        f"on the computed receptive field at all {{stages}} stages inside the image ({listing})"
                        f"{note}.",
                otherwise="On {dataset} the measured receptive field differs from the computed one at {wrong} of "
                          f"{{stages}} stages inside the image ({listing}){note}.")

    # -- orientation
    o, osi = summary["orientation"], summary["orientation_selectivity"]
    c.theory("edges_first_theory", "The chapter: convolutional networks find simple patterns, such as edges or "
             "gradients, in the initial layers, and build shapes from them. An edge or bar detector answers "
             "gratings of one orientation and not the one across it; a filter of random weights has no preferred "
             "orientation beyond chance.")
    gain = osi["trained"] - osi["init"]
    c.check("training_sharpens_orientation", gain >= OSI_GAIN, headline=True,
            numbers={"dataset": main, "init": osi["init"], "trained": osi["trained"], "gain": gain,
                     "min_gain": OSI_GAIN, "change": o["first_layer_change"]},
            finding="Training on {dataset} made the first layer's filters more orientation-selective: their mean "
                    "OSI rose from {init:.3f} at initialisation to {trained:.3f} (+{gain:.3f}; the weights moved by "
                    "{change:.2f} x their initial norm).",
            otherwise="Training on {dataset} did not raise the first layer's mean OSI by {min_gain} or more: "
                      "{init:.3f} at initialisation, {trained:.3f} after training ({gain:+.3f}).")
    c.check("trained_above_random_inits", o["random_inits_below_trained"] >= 0.95 * o["random_inits"],
            numbers={"below": o["random_inits_below_trained"], "n": o["random_inits"], "trained": osi["trained"],
                     "mean": o["random_init_mean"], "std": o["random_init_std"], "max": o["random_init_max"]},
            finding="The trained filters' mean OSI ({trained:.3f}) is above that of {below} of {n} fresh default "
                    "initialisations (their mean {mean:.3f}, std {std:.3f}, largest {max:.3f}).",
            otherwise="The trained filters' mean OSI ({trained:.3f}) is above that of only {below} of {n} fresh "
                      "default initialisations (their mean {mean:.3f}, std {std:.3f}, largest {max:.3f}): the "
                      "gain over this net's own initialisation is within the spread between initialisations.")

    # -- from scratch
    err = summary["scratch_conv_max_rel_error"]
    c.check("scratch_conv_matches_torch", err is not None and err <= SCRATCH_TOL, headline=True, cause=False,
            numbers={"error": err if err is not None else float("nan"), "cases": len(summary["scratch_conv"]),
                     "tol": SCRATCH_TOL},
            finding="The NumPy float64 im2col convolution and its hand-written backward pass equal "
                    "torch.nn.functional.conv2d and its gradients (input, weights, bias) in {cases} cases of "
                    "stride and padding: largest relative error {error:.1e} (<= {tol:g}).",
            otherwise="The NumPy convolution differs from torch.nn.functional.conv2d by a relative error of "
                      "{error:.1e} in the worst of {cases} cases (allowed: {tol:g}).")
    return c


def _f(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def report(summary: dict, s: Settings) -> Document:
    doc = Document(TITLE)
    data, main = summary["by_dataset"], summary["dataset"]
    doc.heading("The data and the two networks")
    doc.paragraph("Shapes (generated by `nnlab.data.images.make_shapes`, seeded): eight classes drawn as strokes two "
                  "pixels wide at random positions and sizes on 28 x 28 pixels: bars at 0, 45, 90 and 135 degrees, "
                  "a right-angled corner, a circle, a square and a triangle, with Gaussian pixel noise (std 0.05). "
                  "Digits: scikit-learn's 1797 handwritten digits, 8 x 8. "
                  f"{s.test_fraction:.0%} of each set is held out (stratified, seed {s.seed}).")
    doc.paragraph(f"The CNN: conv (k x k, {s.channels[0]} channels, padding k // 2) -> relu -> max-pool 2 -> conv "
                  f"(3 x 3, {s.channels[1]} channels, padding 1) -> relu -> max-pool 2 -> linear; k = 5 on shapes, 3 "
                  "on digits. The MLP: one relu hidden layer whose width gives the parameter count nearest the "
                  f"CNN's. Both: Adam (lr {s.lr:g}), mini-batches of {s.batch_size} in the same seeded order, "
                  "PyTorch's default initialisation; accuracy is the finished model's on the whole test set. "
                  "Multiply-adds are for one image (nnlab's cost counter; 1 MAC = 2 FLOPs).")
    doc.image("conv_data.png", "a test image of every class")
    doc.table(["data", "network", "parameters", "multiply-adds", "epochs", "test accuracy"],
              [[name, key.upper() + (f" ({d['mlp_hidden']} hidden)" if key == "mlp" else ""),
                f"{d[key]['params']:,}", f"{d[key]['macs']:,}", d["epochs"], _f(d[key]["test_accuracy"])]
               for name, d in data.items() for key in ("cnn", "mlp")])
    doc.claims(["weight_sharing_theory", "cnn_beats_mlp", *[f"cnn_beats_mlp_{n}" for n in data if n != main],
                "cnn_costs_more_macs"])
    doc.image("conv_training.png", "test accuracy per epoch")

    doc.heading("Shifted test images")
    doc.paragraph("Every test image is moved by s pixels right, left, down and up in turn (what moves in is "
                  "background, what moves out is lost); the accuracy at s is the mean of the four. The networks "
                  "were trained on the unshifted images only. The shapes already lie anywhere they fit in the "
                  "training images, so a shift mostly moves a shape to a place like others seen in training (or "
                  "part of it past the edge); the digits are centred, so a shift makes images unlike any in "
                  "training.")
    doc.table(["data", "network", *[f"shift {k}" for k in data[main]["cnn"]["shift_accuracy"]]],
              [[name, key.upper(), *[_f(v) for v in d[key]["shift_accuracy"].values()]]
               for name, d in data.items() for key in ("cnn", "mlp")])
    doc.claims(["cnn_degrades_less", *[f"cnn_degrades_less_{n}" for n in data if n != main]])
    doc.image("conv_shift.png", "accuracy on shifted test images")

    doc.heading("Inside the CNN")
    o = summary["orientation"]
    doc.paragraph(f"Orientation selectivity ({main}'s CNN): each first-layer filter is convolved with gratings at "
                  f"{o['angles']} orientations and wavelengths " + ", ".join(f"{w:g}" for w in o["wavelengths"])
                  + " pixels; the amplitude of the output sinusoid is its response. A filter's orientation energy "
                  "E(t) sums the squared responses over the wavelengths; its OSI is |sum_t E(t) exp(2it)| / sum_t "
                  "E(t) (0: every orientation alike, 1: one orientation only). The same network is measured at its "
                  f"initialisation and after training, and {o['random_inits']} fresh default initialisations show "
                  "the spread between initialisations.")
    doc.claims(["edges_first_theory", "training_sharpens_orientation", "trained_above_random_inits"])
    doc.image("conv_filters.png", "first-layer filters")
    doc.image("conv_orientation.png", "orientation tuning")
    doc.paragraph("Feature maps: the first channels of every stage for test images of three classes (the first, "
                  "the middle and the last); each stage is scaled to its largest value for that image.")
    doc.image("conv_feature_maps.png", "feature maps")
    doc.paragraph("Receptive fields: computed by the recursion, and measured as the input pixels where the "
                  "gradient of one unit near the centre of the stage is not zero for at least one of 32 random "
                  "inputs.")
    doc.table(["data", "stage", "kernel", "stride", "jump", "receptive field (computed)", "measured"],
              [[name, f["stage"], f["kernel"], f["stride"], f["jump"], f["field"],
                f"{f['measured']}{' (clipped by the image)' if f['clipped'] else ''}"]
               for name, fields in summary["receptive_fields"].items() for f in fields])
    doc.claims(["receptive_field_theory", "receptive_fields_match",
                *[f"receptive_fields_match_{n}" for n in data if n != main]])
    doc.image("conv_receptive_fields.png", "receptive fields")

    doc.heading("From scratch: im2col convolution")
    doc.paragraph("`nnlab.scratch.conv`: the input's receptive fields laid out as the rows of a matrix (im2col), the "
                  "convolution as one matrix product, and the backward pass by hand: dL/dw = G^T cols, dL/db = the "
                  "sum of G, dL/dx = col2im(G W). Checked in float64 against torch.nn.functional.conv2d and "
                  "autograd, with a random upstream gradient.")
    doc.table(["input (N, C, H, W)", "filters", "kernel", "stride", "padding", "output", "largest relative error"],
              [[str(tuple(r["case"]["input"])), r["case"]["filters"], "x".join(map(str, r["case"]["kernel"])),
                str(r["case"]["stride"]), str(r["case"]["padding"]), str(tuple(r["case"]["output"])),
                f"{r['max']:.1e}"] for r in summary["scratch_conv"]])
    doc.claims(["scratch_conv_matches_torch"])
    return doc
