"""PARTS: each part of the gradient-descent lab computes its numbers, writes its figures, and returns its summary.

``nnlab.labs.gd.run_gd`` runs the named parts in order. The paths and the compare parts share one learning-rate sweep
per function.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.jsonsafe import json_safe
from nnlab.labs.gd import scalar, stochastic
from nnlab.labs.gd.functions import FUNCTIONS
from nnlab.labs.gd.settings import GOOD, N_TERMS, LabSettings

__all__ = ["Context", "Part", "PARTS", "jsonable", "LEVEL", "GOOD"]

LEVEL = 1.0       # Part B: "close" means f - f* below this (from 144 at x0 = 10)


jsonable = json_safe          # the name this lab's modules use



class Context:
    """What one lab run shares between parts: settings, output directory, written files, the sweeps."""

    def __init__(self, settings: LabSettings, out: Path, log: Callable[[str], None]):
        self.settings, self.out, self.log = settings, out, log
        self.files: list[str] = []
        self._sweeps: dict = {}

    def save(self, fig, name: str) -> None:
        from nnlab.viz._style import save
        save(fig, self.out / name)
        self.files.append(name)

    def sweeps(self, fn_name: str) -> dict:
        """optimizer -> tuning.Sweep on ``fn_name``, computed once per run."""
        if fn_name not in self._sweeps:
            from nnlab.labs.gd.tuning import log_grid, sweep
            b = self.settings.budget
            grid = log_grid(1e-5, 10.0, b.lr_points)
            self._sweeps[fn_name] = {o: sweep(FUNCTIONS[fn_name], o, grid, b.steps)
                                     for o in self.settings.path_optimizers}
        return self._sweeps[fn_name]


def part_a(ctx: Context) -> dict:
    from nnlab.labs.gd.plots_1d import plot_iteration_counts, plot_scalar_paths
    s = ctx.settings
    grid = scalar.lr_grid()
    rows = scalar.count_table(grid, s.x0, s.tol, s.max_iter)
    runs = [scalar.gradient_descent(lr, s.x0, s.tol, s.max_iter) for lr in s.a_lrs]
    ctx.save(plot_iteration_counts(rows, runs, s.tol, s.x0), "part_a_iterations.png")
    ctx.save(plot_scalar_paths(runs), "part_a_paths.png")
    below = [r for r in rows if r["lr"] < 1]
    above = [r for r in rows if r["lr"] >= 1]
    half = next(r for r in rows if r["lr"] == 0.5)
    # the gradient rule by itself against ceil(ln(tol / |f'(x0)|) / ln|1 - 2 lr|)
    g0 = abs(scalar.df(s.x0))
    alone = [abs(scalar.gradient_descent(r["lr"], s.x0, s.tol, s.max_iter, step_rule=False).iterations
                 - math.ceil(math.log(s.tol / g0) / math.log(abs(1 - 2 * r["lr"]))))
             for r in below if r["lr"] != 0.5 and g0 >= s.tol]
    return {"x0": s.x0, "tol": s.tol, "max_iter": s.max_iter,
            "grid": {"low": float(grid[0]), "high": float(grid[-1]), "n": len(grid)},
            "max_count_difference": max(abs(r["iterations"] - r["predicted"]) for r in below),
            "gradient_rule_alone_max_difference": max(alone) if alone else None,
            "lr_0.5_iterations": half["iterations"], "lr_0.5_x_end": half["x_end"],
            "lr_lt_1_count": len(below), "lr_lt_1_converged": sum(r["status"] == "converged" for r in below),
            "lr_ge_1_count": len(above),
            "lr_ge_1_statuses": {st: sum(r["status"] == st for r in above)
                                 for st in sorted({r["status"] for r in above})},
            "lr_ge_1_converged": sum(r["status"] == "converged" for r in above),
            "runs": [{"lr": r.lr, "iterations": r.iterations, "reason": r.reason, "status": r.status,
                      "x_end": float(r.xs[-1])} for r in runs],
            "rows": rows}


def part_b(ctx: Context) -> dict:
    from nnlab.labs.gd.plots_1d import plot_minibatch, plot_noise_floor
    s, b = ctx.settings, ctx.settings.budget
    terms = stochastic.make_terms(N_TERMS, seed=s.seed)
    xs = np.linspace(-100, 100, 2001)
    exact = xs ** 2 + 4 * xs + 4
    identity_error = float(np.max(np.abs(terms.value(xs) - exact) / np.maximum(1.0, exact)))
    rows = stochastic.compare(terms, s.b_lrs, s.b_batch_sizes, range(s.seed, s.seed + b.b_seeds), b.b_epochs, s.x0)
    for lr in s.b_lrs:
        ctx.save(plot_minibatch(rows, lr, terms.sigma2), f"part_b_lr{lr:g}.png")
    floors = []
    for lr in [lr for lr in s.b_lrs if lr < 1][:3]:
        for bs in s.b_batch_sizes:
            measured = stochastic.measure_noise_floor(terms, lr, bs, steps=b.floor_steps, seed=s.seed)
            theory = stochastic.noise_floor(lr, bs, terms.sigma2)
            floors.append({"lr": lr, "batch_size": bs, "theory": theory, "measured": measured,
                           "relative_error": measured / theory - 1})
    if floors:
        ctx.save(plot_noise_floor(floors), "part_b_noise_floor.png")
    table = [{k: v for k, v in r.items() if k != "runs"} | {
        "examples": int(r["runs"][0].examples[-1]),
        "ms_per_step": float(np.median([run.seconds[-1] / max(1, len(run.seconds) - 1) for run in r["runs"]]) * 1e3),
        **_reach(r["runs"], LEVEL),
        # the median duration of one step, pooled over seeds: robust to the pauses another process causes
        "ms_per_step_typical": float(np.median(np.concatenate([np.diff(run.seconds) for run in r["runs"]])) * 1e3)}
        for r in rows]
    return {"n_terms": terms.n, "c": terms.c, "mean_a": float(terms.a.mean()), "sigma2": terms.sigma2,
            "coefficients": [1.0, float(-2 * terms.a.mean()), float(np.mean(terms.a ** 2) - terms.c)],
            "identity_max_relative_error": identity_error, "sampling": "epoch", "epochs": b.b_epochs,
            "seeds": b.b_seeds, "x0": s.x0, "table": table, "noise_floor": floors,
            "noise_floor_steps": b.floor_steps, "level": LEVEL, "start_error": float((s.x0 + 2.0) ** 2)}


def _reach(runs, level: float) -> dict:
    """The first step (and examples seen) at which the median over seeds of f - f* falls below ``level``; None
    when it does not within the budget."""
    length = min(len(run.error) for run in runs)
    median = np.median(np.stack([run.error[:length] for run in runs]), axis=0)            # (T,)
    below = np.flatnonzero(median < level)
    if not len(below):
        return {"steps_to_level": None, "examples_to_level": None}
    return {"steps_to_level": int(below[0]), "examples_to_level": int(runs[0].examples[below[0]])}


def part_paths(ctx: Context) -> dict:
    from nnlab.labs.gd.basins import basins, minimum_reached
    from nnlab.labs.gd.paths import run_paths
    from nnlab.labs.gd.plots_2d import plot_basins, plot_paths, plot_surface
    from nnlab.labs.gd.plots_compare import plot_rates
    from nnlab.labs.gd.rates import rate_check
    s, b = ctx.settings, ctx.settings.budget
    result = {"optimizers": list(s.path_optimizers), "steps": b.steps, "functions": {}}
    for name in s.functions:
        ctx.log(f"paths: {name}")
        fn, sweeps = FUNCTIONS[name], ctx.sweeps(name)
        ctx.save(plot_paths(fn, sweeps, b.contour_points, same_as_gd=_sgd_draws_gd(sweeps)), f"paths_{name}.png")
        ctx.save(plot_surface(fn, sweeps, max(40, b.contour_points // 2)), f"surface_{name}.png")
        rows = {}
        for opt, sw in sweeps.items():
            i = sw.best
            row = {"lr": sw.best_lr, "tuned": sw.tuned, "final_gap": float(sw.scores[i]),
                   "diverged_at": int(sw.paths.diverged_at[i]) if sw.paths.diverged[i] else None,
                   "end": sw.paths.final[i].tolist(), "end_movement": _end_movement(sw.paths, i)}
            if fn.f_star is None:
                out = np.flatnonzero(np.abs(sw.paths.xy[:, i, 1]) > 1)
                row["escape_step"] = int(out[0]) if len(out) else None
            rows[opt] = row
        result["functions"][name] = rows
        if {"gd", "sgd"} <= set(sweeps):
            lr = sweeps["gd"].best_lr
            gd, sgd = (run_paths(fn, o, [lr], steps=b.steps) for o in ("gd", "sgd"))
            result["functions"][name]["gd_vs_sgd_max_difference"] = float(np.nanmax(np.abs(gd.xy - sgd.xy)))
    ctx.log("paths: rates on the kappa = 100 quadratic")
    check = rate_check(100.0)
    ctx.save(plot_rates(check, b.contour_points), "rates_quadratic-k100.png")
    result["rates"] = {k: v for k, v in check.items() if k != "curves"}
    if "himmelblau" in s.functions:
        ctx.log("paths: Himmelblau basins")
        fn, sweeps = FUNCTIONS["himmelblau"], ctx.sweeps("himmelblau")
        reached = {}
        for start in fn.starts:
            codes = {o: int(minimum_reached(fn, run_paths(fn, o, [sw.best_lr], [start], b.steps))[0])
                     for o, sw in sweeps.items()}
            reached[f"({start[0]:g}, {start[1]:g})"] = codes
        maps = [basins(fn, o, sw.best_lr, b.basin_points, b.steps) for o, sw in sweeps.items()]
        ctx.save(plot_basins(fn, maps), "himmelblau_basins.png")
        codes = np.stack([m.codes.ravel() for m in maps])                          # (optimizers, starts)
        distinct = [len({c for c in column if c >= 0}) for column in codes.T]
        result["himmelblau"] = {"minima": fn.minima.tolist(), "reached_from": reached,
                                "basin_shares": {m.optimizer: m.shares(len(fn.minima)) for m in maps},
                                "basin_grid": b.basin_points,
                                # starts from which two optimizers end at two different minima
                                "different_minima_share": float(np.mean(np.array(distinct) >= 2))}
    return result


def _sgd_draws_gd(sweeps: dict) -> bool | None:
    """Whether the tuned sgd path drawn is gd's, point for point (None: not both drawn)."""
    if not {"gd", "sgd"} <= set(sweeps):
        return None
    gd, sgd = sweeps["gd"], sweeps["sgd"]
    a, b = gd.paths.xy[:, gd.best], sgd.paths.xy[:, sgd.best]
    return bool(gd.best_lr == sgd.best_lr and np.array_equal(a, b, equal_nan=True))


def _end_movement(paths, i: int, tail: float = 0.1) -> float | None:
    """How far run i still moves at the end: the largest distance from its last position to any position of the
    last ``tail`` of its steps (None if it diverged)."""
    if paths.diverged[i]:
        return None
    xy = paths.path(i)
    last = xy[-max(2, int(round(tail * (len(xy) - 1))) + 1):]
    return float(np.max(np.linalg.norm(last - xy[-1], axis=1)))


def part_compare(ctx: Context) -> dict:
    from nnlab.labs.gd.plots_compare import plot_sensitivity
    s, b = ctx.settings, ctx.settings.budget
    result = {"grid": None, "steps": b.steps, "good": GOOD, "functions": {}}
    for name in s.functions:
        fn = FUNCTIONS[name]
        if fn.f_star is None:
            continue
        ctx.log(f"compare: {name}")
        sweeps = ctx.sweeps(name)
        ctx.save(plot_sensitivity(fn, sweeps, max(60, b.contour_points * 2 // 3)), f"compare_{name}.png")
        result["grid"] = next(iter(sweeps.values())).lrs.tolist()
        result["functions"][name] = {o: {"lr": sw.best_lr, "final_gap": sw.best_score,
                                         "at_grid_edge": sw.best in (0, len(sw.lrs) - 1),
                                         "diverged_lrs": int(np.sum(~np.isfinite(sw.scores))),
                                         "good_lrs": int(np.sum(sw.scores <= GOOD)),
                                         "scores": sw.scores.tolist()} for o, sw in sweeps.items()}
    return result


def part_network(ctx: Context) -> dict:
    from nnlab.labs.gd.network import first_epoch_at, network_comparison
    from nnlab.labs.gd.plots_compare import plot_network
    s, b = ctx.settings, ctx.settings.budget
    runs = network_comparison(s.network_optimizers, b.net_lrs, b.net_tune_epochs, b.net_epochs, s.seed,
                              on_run=lambda name: ctx.log(f"network: {name}"))
    ctx.save(plot_network(runs), "network_loss.png")
    table = {}
    for r in runs:
        epoch = first_epoch_at(r.accuracy, 0.97)
        after = np.asarray(r.accuracy[epoch:]) if epoch is not None else np.array([])   # the epochs after it
        table[r.optimizer] = {"lr": r.lr, "sweep": r.sweep, "epochs_to_97": epoch,
                              # share of the epochs after the first at 97 % whose accuracy (before their step) is
                              # still >= 97 %; None when it never got there or it was the last epoch
                              "share_at_97_after": float(np.mean(after >= 0.97)) if after.size else None,
                              "seconds_to_97": r.seconds_to(epoch), "engine": r.engine,
                              "final_loss": r.final.get("train_loss"), "final_accuracy": r.final.get("train_accuracy"),
                              "diverged": r.diverged, "epochs": len(r.loss),
                              "seconds": r.wall_time_s}
    return {"preset": "seed-circle", "lr_grid": list(b.net_lrs), "tune_epochs": b.net_tune_epochs,
            "epochs": b.net_epochs, "target_accuracy": 0.97, "optimizers": table}


@dataclass(frozen=True)
class Part:
    name: str
    title: str
    run: Callable[[Context], dict]


PARTS: dict[str, Part] = {p.name: p for p in [
    Part("a", "Part A: gradient descent on x^2 + 4x + 4", part_a),
    Part("b", "Part B: SGD and mini-batch on the same function as a sum of terms", part_b),
    Part("paths", "Paths in 2-D and 3-D", part_paths),
    Part("compare", "Fair comparison: learning-rate sensitivity", part_compare),
    Part("network", "On a network: the seed's MLP", part_network),
]}
