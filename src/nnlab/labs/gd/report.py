"""summary.md: the lab's numbers as Markdown tables, with its figures linked (relative paths)."""
from __future__ import annotations

__all__ = ["summary_markdown"]

_MINIMA = ["(3, 2)", "(-2.81, 3.13)", "(-3.78, -3.28)", "(3.58, -1.85)"]


def _num(value, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _figures(files: list[str], prefix: str) -> list[str]:
    return [f"![{f}]({f})" for f in files if f.startswith(prefix)] + [""]


def _part_a(a: dict, files) -> list[str]:
    lines = ["## Part A: gradient descent on f(x) = x^2 + 4x + 4", "",
             f"x <- x - lr (2x + 4) from x0 = {a['x0']:g}; stop when |f'(x)| < {a['tol']:g}, when |x_t+1 - x_t| < "
             f"{a['tol']:g}, at the first non-finite value, or after {a['max_iter']} updates. Since "
             "x_t + 2 = (1 - 2 lr)^t (x0 + 2), the count has a closed form (`nnlab.labs.gd.scalar."
             "predicted_iterations`).", "",
             f"- {a['grid']['n']} learning rates {a['grid']['low']:g} .. {a['grid']['high']:g}: largest |measured - "
             f"formula| over lr < 1 is **{a['max_count_difference']}** step(s). With the gradient rule alone, "
             f"against ceil(ln(tol / |f'(x0)|) / ln|1 - 2 lr|): **{a['gradient_rule_alone_max_difference']}**.",
             f"- lr = 0.5 converges in **{a['lr_0.5_iterations']}** step.",
             f"- lr >= 1: {', '.join(f'{n} {k}' for k, n in a['lr_ge_1_statuses'].items())}; "
             f"converged: **{a['lr_ge_1_converged']}**.", ""]
    lines += _table(["lr", "updates", "rule that fired", "status", "x at the end"],
                    [[r["lr"], r["iterations"], r["reason"], r["status"], _num(r["x_end"], ".6g")] for r in a["runs"]])
    return lines + _figures(files, "part_a")


def _part_b(b: dict, files) -> list[str]:
    c = b["coefficients"]
    lines = ["## Part B: SGD and mini-batch on the same function", "",
             f"f(x) = (1/n) sum (x - a_i)^2 - c with n = {b['n_terms']}, mean(a) = {b['mean_a']:g}, c = Var(a) = "
             f"{b['c']:g}: coefficients {c[0]:g}, {c[1]:g}, {c[2]:g} exactly; largest relative difference from "
             f"x^2 + 4x + 4 on 2001 points in [-100, 100]: {b['identity_max_relative_error']:.1e}.",
             f"Batches without replacement within each epoch; {b['epochs']} epochs of examples per run, "
             f"{b['seeds']} seeds; b = 1 is SGD, b = n is gradient descent. Per example seen, small batches get "
             "close fastest; per step, large ones do; per second, the steps here cost about the same for every b "
             "(the per-step work is Python overhead, not arithmetic), so wall time follows steps. Constant-lr runs "
             "level off at a noise floor that shrinks with lr and b (dotted lines).", ""]
    lines += _table(["lr", "b", "steps", "examples", "final f - f*, median", "min", "max", "diverged", "ms / step"],
                    [[r["lr"], r["batch_size"], r["steps"], r["examples"], _num(r["final_median"]),
                      _num(r["final_min"]), _num(r["final_max"]), r["diverged"], _num(r["ms_per_step"], ".4f")]
                     for r in b["table"]])
    if b["noise_floor"]:
        lines += [f"Noise floor of constant-lr SGD with replacement, Var(x + 2) = lr s^2 / (b (1 - lr)), measured "
                  f"over 16 chains x {b['noise_floor_steps']} steps:", ""]
        lines += _table(["lr", "b", "theory", "measured", "relative error"],
                        [[r["lr"], r["batch_size"], _num(r["theory"]), _num(r["measured"]),
                          f"{r['relative_error']:+.1%}"] for r in b["noise_floor"]])
    return lines + _figures(files, "part_b")


def _part_paths(p: dict, files) -> list[str]:
    r = p["rates"]
    lines = ["## Paths in 2-D and 3-D", "",
             "gd is nnlab's own loop; the others are torch.optim (float64, registry defaults, no clipping). On "
             "these deterministic functions sgd takes exactly gd's steps (largest difference below). Each "
             f"optimizer runs at the lr its sweep chose ({p['steps']} steps); the saddle has no f*, so every "
             "optimizer uses lr 0.01 there.", "",
             f"**kappa = 100 quadratic at Goh's optimal parameters:** gd lr {r['gd_lr']:.4g}: measured rate "
             f"{r['gd_measured']:.4f} vs (kappa - 1)/(kappa + 1) = {r['gd_rate']:.4f} ({r['gd_relative_error']:.2%} "
             f"off), {r['gd_steps_to_1e-6']} steps to 1e-6; heavy ball lr {r['hb_lr']:.4g}, momentum "
             f"{r['hb_momentum']:.4g}: {r['heavy_ball_measured']:.4f} vs (sqrt kappa - 1)/(sqrt kappa + 1) = "
             f"{r['hb_rate']:.4f} ({r['heavy_ball_relative_error']:.2%} off), {r['heavy_ball_steps_to_1e-6']} "
             "steps to 1e-6.", "", "![rates](rates_quadratic-k100.png)", ""]
    opts = p["optimizers"]
    rows = []
    for name, per in p["functions"].items():
        cells = []
        for o in opts:
            x = per[o]
            if x["diverged_at"] is not None:
                cells.append(f"diverged at {x['diverged_at']}")
            elif "escape_step" in x:
                cells.append(f"|y| > 1 at {x['escape_step']}" if x["escape_step"] is not None else "no escape")
            else:
                cells.append(f"{_num(x['final_gap'], '.2g')} (lr {x['lr']:.2g})")
        diff = per.get("gd_vs_sgd_max_difference")
        rows.append([name, *cells, _num(diff, ".1e")])
    lines += ["Final f - f* at the tuned lr (the saddle: the step where |y| first exceeds 1):", ""]
    lines += _table(["function", *opts, "max abs(gd - sgd)"], rows)
    if "himmelblau" in p:
        h = p["himmelblau"]
        lines += ["**Himmelblau**: the minimum each optimizer reaches at its tuned lr (minima 1-4: "
                  + ", ".join(_MINIMA) + "; 'none': not within 1e-3 after the budget):", ""]
        def name_of(code: int) -> str:
            return {-1: "none", -2: "diverged"}.get(code) or f"{code + 1} {_MINIMA[code]}"
        lines += _table(["start", *opts], [[s, *[name_of(codes[o]) for o in opts]] for s, codes in
                                           h["reached_from"].items()])
        lines += [f"Share of a {h['basin_grid']} x {h['basin_grid']} grid of starts reaching each minimum:", ""]
        lines += _table(["optimizer", "1", "2", "3", "4", "none", "diverged"],
                        [[o, *[f"{sh[k]:.0%}" for k in ("0", "1", "2", "3", "none", "diverged")]]
                         for o, sh in h["basin_shares"].items()])
        lines += ["![himmelblau basins](himmelblau_basins.png)", ""]
    return lines + _figures(files, "paths_") + _figures(files, "surface_")


def _part_compare(c: dict, files) -> list[str]:
    lines = ["## Fair comparison: learning-rate sensitivity", ""]
    if not c["functions"]:
        return lines + ["No function with a minimum value was selected.", ""]
    grid = c["grid"]
    lines += [f"Per optimizer and function: {len(grid)} learning rates on a log grid {grid[0]:.0e} .. "
              f"{grid[-1]:.0e}, {c['steps']} steps each, scored by the final f - f* (a diverged run scores inf); "
              "every other hyperparameter at its default. The runs are deterministic, so one run per lr is exact. "
              "Scoring the final value favours bold learning rates: on Rastrigin the best final f often comes from "
              "an lr at which the run never settles and hops between basins until the budget ends, so a tuned "
              "Rastrigin path is an anecdote, not a verdict. Tuned learning rates (* = at the edge of the grid):",
              ""]
    opts = list(next(iter(c["functions"].values())))
    lines += _table(["function", *opts],
                    [[fn, *[f"{per[o]['lr']:.2g}{'*' if per[o]['at_grid_edge'] else ''}" for o in opts]]
                     for fn, per in c["functions"].items()])
    return lines + _figures(files, "compare_")


def _part_network(n: dict, files) -> list[str]:
    lines = ["## On a network: the seed's MLP on seed-circle", "",
             f"`PRESETS['seed-circle']` (1000 points, 2-8x5-2 ReLU, full batch, cross-entropy) trained through "
             f"`nnlab.fit`. Each optimizer's lr is the best of {n['lr_grid']} after {n['tune_epochs']} epochs "
             f"(final training loss); then {n['epochs']} epochs at that lr. Full batch: sgd is gradient descent. "
             "Seconds to 97 % = training time x (epochs to 97 %) / (epochs run): every full-batch epoch is the "
             "same work.",
             ""]
    rows = [[o, f"{r['lr']:g}", _num(r["epochs_to_97"], "d") if r["epochs_to_97"] else "not reached",
             _num(r["seconds_to_97"], ".2f"), _num(r["final_loss"], ".4f"),
             _num(r["final_accuracy"], ".1%") if r["final_accuracy"] is not None else "-",
             _num(r["seconds"], ".2f"), r.get("engine", "torch")] for o, r in n["optimizers"].items()]
    lines += _table(["optimizer", "lr", "epochs to 97 %", "seconds to 97 %", "final loss", "final accuracy",
                     "seconds in all", "engine"], rows)
    return lines + _figures(files, "network")


_SECTIONS = {"a": _part_a, "b": _part_b, "paths": _part_paths, "compare": _part_compare, "network": _part_network}


def summary_markdown(summary: dict) -> str:
    """The Markdown summary of a ``run_lab`` summary dictionary."""
    s, v = summary["settings"], summary["versions"]
    lines = ["# The gradient-descent lab (exercise 1.3)", "",
             f"{'Quick' if s['quick'] else 'Full'} run, seed {s['seed']}; torch {v['torch']}, NumPy {v['numpy']}, "
             f"{v['cpu']}. Seconds per part: "
             + ", ".join(f"{k} {t:.1f}" for k, t in summary["seconds"].items()) + ".", ""]
    for name, part in summary["parts"].items():
        lines += _SECTIONS[name](part, summary["files"])
    return "\n".join(lines)
