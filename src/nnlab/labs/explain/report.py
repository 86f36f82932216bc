"""The lab's verdicts and ``report.md``: every check with its value, its criterion and whether it passed, then the
numbers of each part, all read from the summary (nothing in the text is written by hand ahead of the run)."""
from __future__ import annotations

from pathlib import Path

__all__ = ["checks", "write_report", "PROBE_TOLERANCE", "IG_TOLERANCE", "SHAP_TOLERANCE", "HESSIAN_TOLERANCE"]

PROBE_TOLERANCE = 0.02      # accuracy points a probe may fall short (of the previous layer, of the network)
IG_TOLERANCE = 0.01         # completeness: |sum IG - (f(x) - f(b))| <= 1 % of |f(x) - f(b)|
SHAP_TOLERANCE = 1e-6       # additivity, in logits
HESSIAN_TOLERANCE = 1e-6    # power iteration vs the full Hessian, relative
MP_MIN_SIZE = 32            # the Marchenko-Pastur check applies to matrices with min(m, n) >= this
EDGE_BAND = (0.85, 1.15)    # "hovers at 2 / lr": late mean sharpness within this share of 2 / lr


def _check(value, criterion: str, passed: bool) -> dict:
    return {"value": value, "criterion": criterion, "passed": bool(passed)}


def checks(summary: dict) -> dict:
    """name -> {value, criterion, passed} for every property the lab tests."""
    from nnlab.labs.explain.sanity import SANITY_THRESHOLD
    out = {}
    for task, probes in summary["probe_accuracy_per_layer"].items():
        net = summary["network_test_accuracy"][task]
        out[f"probe_rises_with_depth/{task}"] = _check(
            probes, f"every layer's probe >= the previous layer's - {PROBE_TOLERANCE}",
            all(b >= a - PROBE_TOLERANCE for a, b in zip(probes, probes[1:])))
        out[f"probe_reaches_network/{task}"] = _check(
            probes[-1], f"last hidden layer's probe >= the network's test accuracy ({net:.3f}) - {PROBE_TOLERANCE}",
            probes[-1] >= net - PROBE_TOLERANCE)
    for name, err in summary["ig_completeness_rel_error"].items():
        out[f"ig_completeness/{name}"] = _check(err, f"< {IG_TOLERANCE} of |f(x) - f(baseline)|, worst example",
                                                err < IG_TOLERANCE)
    for name, err in summary["shap_additivity_abs_error"].items():
        out[f"shap_additivity/{name}"] = _check(err, f"< {SHAP_TOLERANCE:g} (logits), worst example and class",
                                                err < SHAP_TOLERANCE)
    for method, corr in summary["sanity_rank_corr_randomized"].items():
        out[f"sanity_randomized/{method}"] = _check(corr, f"< {SANITY_THRESHOLD} (rank corr. trained vs random)",
                                                    corr < SANITY_THRESHOLD)
    for i, layer in enumerate(summary["spectra"]["layers"], start=1):
        if min(layer["shape"]) >= MP_MIN_SIZE:
            out[f"marchenko_pastur_at_init/layer{i}"] = _check(
                layer["init_ks_distance"], "KS distance to MP < 0.1 and >= 98 % of values inside the support",
                layer["init_ks_distance"] < 0.1 and layer["init_inside_support"] >= 0.98)
    power = summary["sharpness"]["power_iteration_check"]
    out["power_iteration_vs_full_hessian"] = _check(power["rel_error"], f"< {HESSIAN_TOLERANCE:g} relative (float64)",
                                                    power["rel_error"] < HESSIAN_TOLERANCE)
    for run in summary["sharpness"]["runs"]:
        late = run["late_over_edge"]
        out[f"edge_of_stability/lr={run['lr']:g}"] = _check(
            late, f"sharpness reaches 2/lr and its mean over the last quarter is within {EDGE_BAND} of 2/lr",
            late is not None and not run["diverged"] and run["max_over_edge"] >= 0.95
            and EDGE_BAND[0] <= late <= EDGE_BAND[1])
    return out


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _checks_section(c: dict) -> list[str]:
    failed = [name for name, v in c.items() if not v["passed"]]
    lines = ["## Checks", "", f"{len(c) - len(failed)} of {len(c)} checks passed."
             + (f" Not passed: {', '.join(failed)}." if failed else ""), "",
             "| check | value | criterion | result |", "|---|---|---|---|"]
    lines += [f"| {name} | {_fmt(v['value'])} | {v['criterion']} | {'pass' if v['passed'] else '**FAIL**'} |"
              for name, v in c.items()]
    return lines + [""]


def _hidden_section(s: dict) -> list[str]:
    probes, net = s["probe_accuracy_per_layer"], s["network_test_accuracy"]
    depth = max(len(p) for p in probes.values())
    lines = ["## 1. Neurons and hidden spaces", "",
             "A tanh MLP per 2-D task; a logistic regression (the probe) fitted on each layer's activations of the "
             "training points, scored on the test points.", "",
             "| task | network test acc. | " + " | ".join(["input"] + [f"layer {i}" for i in range(1, depth)]) + " |",
             "|---|---:|" + "---:|" * depth]
    for task, p in probes.items():
        lines.append(f"| {task} | {net[task]:.3f} | " + " | ".join(f"{a:.3f}" for a in p) + " |")
    lines.append("")
    for task, p in probes.items():
        c = s["checks"]
        rises = c[f"probe_rises_with_depth/{task}"]["passed"]
        reaches = c[f"probe_reaches_network/{task}"]["passed"]
        lines.append(f"- {task}: the probe goes from {p[0]:.1%} on the raw input to {p[-1]:.1%} at the last hidden "
                     f"layer (network {net[task]:.1%}); it {'rises' if rises else 'does not rise'} with depth "
                     f"and {'reaches' if reaches else 'falls short of'} the network's accuracy.")
    figures = [f for f in s["files"] if f.startswith("neurons")] + ["hidden_spaces.png"]
    return lines + [""] + [f"![{f[:-4]}]({f})" for f in figures] + [""]


def _attribution_section(s: dict) -> list[str]:
    lines = ["## 2. Attributions", ""]
    for name, a in s["attributions"].items():
        methods = a["rank_agreement"]["methods"]
        lines += [f"### {name} (test accuracy {a['test_accuracy']:.3f}, {a['n_explained']} test examples "
                  "explained; the predicted class's logit)", "",
                  "| method | top features |", "|---|---|"]
        lines += [f"| {m} | {', '.join(feats)} |" for m, feats in a["top_features"].items()]
        rho = a["rank_agreement"]["spearman"]
        if rho is not None:
            lines += ["", "Spearman rank agreement of the global importances:", "",
                      "| | " + " | ".join(methods) + " |", "|---|" + "---:|" * len(methods)]
            lines += [f"| {m} | " + " | ".join(f"{v:.2f}" for v in row) + " |" for m, row in zip(methods, rho)]
            M = len(methods)
            pairs = [(rho[i][j], methods[i], methods[j]) for i in range(M) for j in range(i + 1, M)]
            hi, lo = max(pairs), min(pairs)
            lines += ["", f"Closest: {hi[1]} and {hi[2]} ({hi[0]:.2f}); furthest apart: {lo[1]} and {lo[2]} "
                          f"({lo[0]:.2f})."]
        if name in s["ig_completeness_rel_error"]:
            lines.append(f"Integrated gradients' completeness: worst relative error "
                         f"{s['ig_completeness_rel_error'][name]:.2e}.")
        if name in s["shap_additivity_abs_error"]:
            lines.append(f"SHAP additivity: worst absolute error {s['shap_additivity_abs_error'][name]:.2e}.")
        lines += ["", f"![attributions {name}](attributions_{name}.png)"]
        if f"class_maps_{name}.png" in s["files"]:
            lines.append(f"![class maps {name}](class_maps_{name}.png)")
        lines.append("")
    sanity = s.get("sanity")
    if sanity:
        c = s["checks"]
        lines += [f"### Sanity check: randomised weights ({sanity['dataset']})", "",
                  "| method | " + " | ".join(f"{k} layers random" for k in sanity["layers_randomized"])
                  + " | verdict |", "|---|" + "---:|" * len(sanity["layers_randomized"]) + "---|"]
        for m, corr in sanity["rank_corr"].items():
            verdict = "passes" if c[f"sanity_randomized/{m}"]["passed"] else "**fails**"
            lines.append(f"| {m} | " + " | ".join(f"{v:.2f}" for v in corr) + f" | {verdict} |")
        failed = [m for m in sanity["rank_corr"] if not c[f"sanity_randomized/{m}"]["passed"]]
        lines.append("")
        if failed:
            lines.append(f"{', '.join(failed)} {'fail' if len(failed) > 1 else 'fails'} the check: the maps of a "
                         "network with random weights keep much of the trained network's ranking."
                         + (" Gradient x input multiplies the gradient by the input, integrated gradients by "
                            "(x - baseline), which is zero wherever a digit's pixel is blank; that factor is the "
                            "same for every network and makes their maps look alike. They show the input as much "
                            "as the model." if set(failed) & {"gradient-x-input", "integrated-gradients"} else ""))
        else:
            lines.append("Every method's maps change when the weights are randomised: they depend on what was learned.")
        lines += ["", f"![sanity check](sanity_check_{sanity['dataset']}.png)", ""]
    return lines


def _spectra_section(s: dict) -> list[str]:
    sp = s["spectra"]
    lines = ["## 3. Weight spectra and sharpness", "",
             f"Every weight matrix of the {sp['dataset']} model (nn.Linear's default init, variance 1 / (3 fan_in)), "
             f"at init and after {sp['epochs'][-1]} epochs.", "",
             "| layer | W (m x n) | MP support | init range | KS to MP | trained top s / edge | values past the edge "
             "| effective rank init -> trained |", "|---|---|---|---|---:|---:|---:|---|"]
    for i, l in enumerate(sp["layers"], start=1):
        lines.append(f"| {i} | {l['shape'][0]} x {l['shape'][1]} | [{l['mp_edges'][0]:.3f}, {l['mp_edges'][1]:.3f}] "
                     f"| [{l['init_range'][0]:.3f}, {l['init_range'][1]:.3f}] | {l['init_ks_distance']:.3f} | "
                     f"{l['trained_top_over_edge']:.2f} | {l['trained_outliers']} | "
                     f"{l['effective_rank_init']:.1f} -> {l['effective_rank_final']:.1f} |")
    c = s["checks"]
    fits = [str(i) for i, l in enumerate(sp["layers"], start=1) if c.get(f"marchenko_pastur_at_init/layer{i}",
                                                                          {}).get("passed")]
    misfits = [str(i) for i, l in enumerate(sp["layers"], start=1) if f"marchenko_pastur_at_init/layer{i}" in c
               and not c[f"marchenko_pastur_at_init/layer{i}"]["passed"]]
    small = [str(i) for i, l in enumerate(sp["layers"], start=1) if min(l["shape"]) < MP_MIN_SIZE]
    fell = [str(i) for i, l in enumerate(sp["layers"], start=1)
            if l["effective_rank_final"] < l["effective_rank_init"]]
    rose = [str(i) for i, l in enumerate(sp["layers"], start=1) if str(i) not in fell]
    tops = [l["trained_top_over_edge"] for l in sp["layers"]]
    text = []
    if fits:
        text.append(f"At init, the singular values of layer(s) {', '.join(fits)} follow the Marchenko-Pastur law.")
    if misfits:
        text.append(f"Layer(s) {', '.join(misfits)} do not fit it at init (see the KS distance).")
    if small:
        text.append(f"Layer(s) {', '.join(small)} have too few singular values for the law to be judged; their KS "
                    "distance is shown only.")
    text.append(f"After training, the largest singular value is {min(tops):.2f} to {max(tops):.2f} times the upper "
                "edge: a few strong learned directions stand out of the random bulk.")
    if fell:
        text.append(f"The effective rank fell in layer(s) {', '.join(fell)}"
                    + (f" and did not fall in layer(s) {', '.join(rose)}." if rose else "."))
    lines += ["", " ".join(text), "",
              "![spectra](spectra.png)", "![effective rank](effective_rank.png)", "",
              "| lr | 2 / lr | sharpness at start | max | mean, last quarter | last quarter / (2 / lr) | final loss |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in s["sharpness"]["runs"]:
        if r["max_sharpness"] is None:
            lines.append(f"| {r['lr']:g} | {r['two_over_lr']:g} | diverged | | | | |")
            continue
        lines.append(f"| {r['lr']:g} | {r['two_over_lr']:g} | {r['initial_sharpness']:.2f} | {r['max_sharpness']:.2f} "
                     f"| {r['late_mean_sharpness']:.2f} | {r['late_over_edge']:.2f} | {r['final_loss']:.4f} |")
    lines.append("")
    for r in s["sharpness"]["runs"]:
        if r["max_sharpness"] is None:
            continue
        if r["epoch_at_edge"] is None:
            lines.append(f"- lr {r['lr']:g}: the sharpness never reached 2 / lr = {r['two_over_lr']:g} "
                         f"(at most {r['max_sharpness']:.2f}).")
        else:
            start = r["initial_sharpness"] / r["two_over_lr"]
            reached = (f"started at {start:.2f} times 2 / lr = {r['two_over_lr']:g}, already past the edge"
                       if r["epoch_at_edge"] == 0 else
                       f"rose from {start:.2f} times 2 / lr = {r['two_over_lr']:g} to the edge by epoch "
                       f"{r['epoch_at_edge']}")
            peak = f", peaked at {r['max_over_edge']:.2f} times it" if r["max_over_edge"] > 1.2 else ""
            lines.append(f"- lr {r['lr']:g}: the sharpness {reached}{peak}"
                         + f" and ended at {r['late_over_edge']:.2f} times it (mean of the last quarter)"
                         + (" while the loss kept falling." if r["final_loss"] < r["min_loss_first_half"]
                            else "; the loss did not improve on its first half."))
    p = s["sharpness"]["power_iteration_check"]
    lines += ["", f"Power iteration on Hessian-vector products gives {p['power_iteration']:.12g} after "
                  f"{p['hvp_calls']} products; the full Hessian's largest eigenvalue is {p['full_hessian']:.12g} "
                  f"(relative difference {p['rel_error']:.1e}).", "", "![sharpness](sharpness.png)", ""]
    return lines


def write_report(summary: dict, path: str | Path) -> None:
    """Write ``report.md`` from the summary dictionary of ``run_explain``."""
    st = summary["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in summary["versions"].items() if v)
    lines = ["# Looking inside a trained network", "",
             f"Seed {st['seed']}; 2-D nets trained {st['epochs_2d']} epochs, tabular nets {st['epochs_tabular']}, "
             f"sharpness runs {st['sharpness_epochs']}; {summary['wall_time_s']:.1f} s. Versions: {versions}.", ""]
    lines += _checks_section(summary["checks"])
    lines += _hidden_section(summary)
    lines += _attribution_section(summary)
    lines += _spectra_section(summary)
    Path(path).write_text("\n".join(lines))
