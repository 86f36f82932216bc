"""The tensor lab's page: its claims, built from summary.json's numbers, and the document around them.

Every sentence that says what happened is a claim over this run's arrays and timings; the prose around them
says what was computed, what the panels and columns mean and how the timing was done.
"""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["make_claims", "report", "GATE_CAUSE", "TITLE"]

TITLE = "Tensors and matrix multiplication (exercise 1.4)"

LIBRARY_CAUSE = "a NumPy or PyTorch version that behaves differently: see the versions below"
GATE_CAUSE = "a kernel that computes a wrong result"
SPEEDUP_COMPILED = 100      # numba against pure Python: "more than 100x"
SPEEDUP_ORDER = 2           # ikj against ijk: "more than 2x"


# -- reading the summary ------------------------------------------------------------------------------------------

def _demo(summary: dict, name: str) -> dict | None:
    return next((d for d in summary["demos"] if d["demo"] == name), None)


def _where(p: dict) -> str:
    return f"a view of {p['view_of']}" if p["view_of"] else "memory of its own"


def _layout(p: dict) -> str:
    return "contiguous" if p["contiguous"] else "not contiguous"


def _t(values) -> tuple:
    """Strides and shapes as tuples, so that a sentence shows (3, 1), not [3, 1]."""
    return tuple(values)


def _fmt(x) -> str:
    """A small array's values, written compactly: [[1, 2], [3, 4]]."""
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return f"{x:g}" if isinstance(x, float) else str(x)


# -- claims -------------------------------------------------------------------------------------------------------

def make_claims(summary: dict, quick: bool) -> Claims:
    """What this run shows, each sentence from the numbers, each stated as a finding only where it holds."""
    c = Claims(quick=quick)
    _tensor_claims(c, summary)
    if summary.get("matmul"):
        _matmul_claims(c, summary["matmul"], quick)
    return c


def _tensor_claims(c: Claims, summary: dict) -> None:
    demos = summary["demos"]
    arrays = sum(len(d["numpy_panels"]) for d in demos)
    bad = [m for d in demos for m in d["mismatches"]]
    c.check("numpy_torch_agree", not bad, headline=True, cause=LIBRARY_CAUSE,
            numbers={"demos": len(demos), "arrays": arrays, "bad": len(bad), "listing": "; ".join(bad)},
            finding="In all {demos} demos, NumPy and PyTorch agree on the values, dtype, shape, strides, contiguity "
                    "and view or copy of every one of the {arrays} arrays.",
            otherwise="NumPy and PyTorch differ in {bad} of the {arrays} arrays: {listing}.")

    if d := _demo(summary, "broadcast"):
        c.theory("broadcast_rule", "Broadcasting lines shapes up from the right and repeats an axis of size 1, or a "
                 "missing one, with stride 0, so the repeated array is not copied: b (3,) is added to every row of "
                 "a (2, 3), and col (2, 1) + b (3,) has shape (2, 3).")
        wide = [d[f"{lib}_panels"][2] for lib in ("numpy", "torch")]
        a, b, added, outer = (d["numpy_panels"][i] for i in (0, 1, 3, 5))
        rows_ok = added["values"] == [[x + y for x, y in zip(row, b["values"])] for row in a["values"]]
        holds = (all(p["strides"][0] == 0 and p["view_of"] == "b" for p in wide) and rows_ok
                 and outer["shape"] == [2, 3])
        c.check("broadcast_no_copy", holds, headline=True, cause=LIBRARY_CAUSE,
                numbers={"strides": _t(wide[0]["strides"]), "bytes": _t(wide[0]["byte_strides"]),
                         "strides_torch": _t(wide[1]["strides"]), "where": _where(wide[0]),
                         "where_torch": _where(wide[1]), "row0": _fmt(added["values"][0]),
                         "outer": _t(outer["shape"])},
                finding="np.broadcast_to(b, (2, 3)) and b.expand(2, 3) have strides {strides} elements (NumPy: {bytes} "
                        "bytes): the stride 0 along axis 0 shows b's 3 numbers for both rows, and both are views of "
                        "b, so nothing was copied; a + b added b to every row (row 0: {row0}), and col + b has shape "
                        "{outer}.",
                otherwise="Expected b broadcast to (2, 3) to be a view of b with stride 0 along axis 0, a + b to add b "
                          "to every row and col + b to have shape (2, 3); the run shows strides {strides} elements in "
                          "NumPy ({where}) and {strides_torch} in PyTorch ({where_torch}), a + b row 0: {row0}, and "
                          "col + b of shape {outer}.")

    if d := _demo(summary, "products"):
        c.theory("products_rule", "A matrix product (m, k) @ (k, n) has shape (m, n), each entry the dot product of a "
                 "row of the first and a column of the second; a * b multiplies matching elements.")
        a, b, prod, w, mat, dot = d["numpy_panels"]
        av, bv, wv = a["values"], b["values"], w["values"]
        loop = [[sum(av[i][k] * wv[k][j] for k in range(len(wv))) for j in range(len(wv[0]))] for i in range(len(av))]
        elementwise = [[x * y for x, y in zip(ra, rb)] for ra, rb in zip(av, bv)]
        dot_loop = sum(x * y for x, y in zip(av[0], bv[1]))
        holds = mat["values"] == loop and prod["values"] == elementwise and dot["values"] == dot_loop
        c.check("products_by_hand", holds, cause=LIBRARY_CAUSE,
                numbers={"shape": _t(mat["shape"]), "matrix": _fmt(mat["values"]), "loop": _fmt(loop),
                         "elementwise": _fmt(prod["values"]), "dot": dot["values"], "dot_loop": dot_loop},
                finding="a @ w has shape {shape}, and every entry equals the dot product of a row of a and a column "
                        "of w summed by a Python loop ({matrix}); a * b multiplied matching elements ({elementwise}); "
                        "a[0] . b[1] = {dot:g}.",
                otherwise="a @ w = {matrix} (shape {shape}) against the Python loop's {loop}; a * b = {elementwise}; "
                          "a[0] . b[1] = {dot:g} against the loop's {dot_loop:g}.")

    if d := _demo(summary, "reshape"):
        c.theory("transpose_rule", "A transpose swaps the strides and moves no data, so it is a view and, for a "
                 "matrix, not contiguous; copying it into contiguous memory gives fresh row-major strides. A reshape "
                 "keeps the memory order, so x.reshape(3, 2) is not the transpose of x.reshape(2, 3).")
        per_lib = []
        for lib in ("numpy", "torch"):
            x, m, t, copy, _ = d[f"{lib}_panels"]
            per_lib.append(m["view_of"] == x["label"] and t["strides"] == m["strides"][::-1]
                           and t["view_of"] == x["label"] and not t["contiguous"] and copy["view_of"] is None
                           and copy["contiguous"] and copy["strides"] == [t["shape"][1], 1]
                           and copy["values"] == t["values"])
        x, m, t, copy, reshaped = d["numpy_panels"]
        c.check("transpose_is_a_view", all(per_lib), headline=True, cause=LIBRARY_CAUSE,
                numbers={"m_strides": _t(m["strides"]), "m_where": _where(m), "t_strides": _t(t["strides"]),
                         "t_where": _where(t), "t_layout": _layout(t), "c_strides": _t(copy["strides"]),
                         "c_where": _where(copy)},
                finding="x.reshape(2, 3) has strides {m_strides} and shares x's memory; its transpose has strides "
                        "{t_strides}: swapped, still a view of x, and not contiguous (both libraries); the contiguous "
                        "copy has strides {c_strides} and memory of its own.",
                otherwise="Expected x.reshape(2, 3) and its transpose to be views of x with swapped strides, the "
                          "transpose not contiguous, and the contiguous copy to have memory of its own; the run shows "
                          "x.reshape(2, 3): strides {m_strides}, {m_where}; its transpose: strides {t_strides}, "
                          "{t_where}, {t_layout}; the contiguous copy: strides {c_strides}, {c_where} (NumPy).")
        c.check("reshape_is_not_transpose", reshaped["values"] != copy["values"], cause=LIBRARY_CAUSE,
                numbers={"reshaped": _fmt(reshaped["values"]), "transposed": _fmt(t["values"])},
                finding="x.reshape(3, 2) = {reshaped} keeps the memory order 0 to 5, while the transpose is "
                        "{transposed}: a reshape is not a transpose.",
                otherwise="x.reshape(3, 2) = {reshaped} equals the transpose {transposed}.")

    if d := _demo(summary, "slicing"):
        c.theory("slicing_rule", "A basic slice (start:stop:step, or an integer) is a view: an offset and new strides "
                 "into the same memory; indexing with a list of indices or a boolean mask gathers a copy.")
        per_lib = []
        for lib in ("numpy", "torch"):
            x, step, col, rows, mask = d[f"{lib}_panels"]
            per_lib.append(step["view_of"] == col["view_of"] == x["label"] and rows["view_of"] is None
                           and mask["view_of"] is None and step["strides"] == [x["strides"][0], 2 * x["strides"][1]])
        x, step, col, rows, mask = d["numpy_panels"]
        c.check("slices_view_indexing_copies", all(per_lib), headline=True, cause=LIBRARY_CAUSE,
                numbers={"x_strides": _t(x["strides"]), "step_strides": _t(step["strides"]),
                         "col_strides": _t(col["strides"]), "step": _where(step), "col": _where(col),
                         "rows": _where(rows), "mask": _where(mask)},
                finding="x[1:, ::2] (strides {step_strides} against x's {x_strides}: two elements per step along a "
                        "row) and x[:, 1] (strides {col_strides}) are views of x; x[[2, 0]] and x[x % 3 == 0] have "
                        "memory of their own: copies (both libraries).",
                otherwise="Expected the basic slices to be views of x and the list and mask indexing to be copies; "
                          "the run shows x[1:, ::2]: strides {step_strides}, {step}; x[:, 1]: {col}; x[[2, 0]]: "
                          "{rows}; x[x % 3 == 0]: {mask} (NumPy).")

    if d := _demo(summary, "reductions"):
        c.theory("reductions_rule", "Reducing along an axis removes that axis from the shape: (3, 4) summed over "
                 "axis 0 gives (4,), over axis 1 gives (3,); a reduction over every axis gives a 0-d array.")
        x, s0, s1, mean, mx, arg = d["numpy_panels"]
        xv = x["values"]
        holds = (s0["values"] == [sum(col) for col in zip(*xv)] and s1["values"] == [sum(r) for r in xv]
                 and mean["shape"] == [] and all(xv[i][j] == mx["values"][i] == max(xv[i])
                                                 for i, j in enumerate(arg["values"])))
        c.check("reductions_by_hand", holds, cause=LIBRARY_CAUSE,
                numbers={"s0": _t(s0["shape"]), "sum0": _fmt(s0["values"]), "s1": _t(s1["shape"]),
                         "sum1": _fmt(s1["values"]), "mean": mean["values"], "argmax": _fmt(arg["values"]),
                         "max": _fmt(mx["values"])},
                finding="The sum over axis 0 has shape {s0} ({sum0}) and over axis 1 shape {s1} ({sum1}), both equal "
                        "to a Python loop's sums; the mean is 0-d ({mean:.3g}); each row's argmax ({argmax}) points "
                        "at its largest value ({max}).",
                otherwise="Sum over axis 0: shape {s0}, {sum0}; over axis 1: shape {s1}, {sum1}; mean {mean:.3g}; "
                          "max {max} at {argmax}: not what a Python loop over the same numbers gives.")

    if d := _demo(summary, "linear"):
        c.theory("linear_rule", "nn.Linear(in, out) stores its weight W with shape (out, in) and computes "
                 "x @ W.T + b for a batch x of shape (batch, in).")
        zn = d["numpy_panels"][5]                                        # z = x @ W.T + b
        xt, wt, wtt, zt, rt = (d["torch_panels"][i] for i in (0, 1, 3, 5, 6))   # x, weight, weight.T, layer(x), relu
        relu = [[max(v, 0.0) for v in r] for r in zn["values"]]
        negative = sum(v < 0 for r in zn["values"] for v in r)
        holds = (wt["shape"] == [2, 3] and zt["values"] == zn["values"] and zt["shape"] == [xt["shape"][0], 2]
                 and rt["values"] == relu and wtt["view_of"] == wt["label"])
        c.check("linear_is_x_wt_plus_b", holds, headline=True, cause=LIBRARY_CAUSE,
                numbers={"w_shape": _t(wt["shape"]), "x_shape": _t(xt["shape"]), "z_shape": _t(zt["shape"]),
                         "z": _fmt(zt["values"]), "z_np": _fmt(zn["values"]), "negative": negative,
                         "wt_strides": _t(wtt["strides"])},
                finding="layer.weight has shape {w_shape} (out, in), and layer.weight.T is a view with strides "
                        "{wt_strides}; layer(x) for x {x_shape} has shape {z_shape} and equals NumPy's x @ W.T + b in "
                        "every entry ({z}); ReLU set its {negative} negative entries to 0.",
                otherwise="layer.weight has shape {w_shape}; layer(x) = {z} against NumPy's x @ W.T + b = {z_np}.")


def _ms(r: dict) -> float:
    return 1e3 * r["median_s"]


def _pair_at_largest(m: dict, slow: str, fast: str):
    """(N, slow row, fast row) at the largest N where both were timed, or None."""
    from nnlab.labs.tensors.matmul import row
    for n in sorted(m["config"]["sizes"], reverse=True):
        a, b = row(m, slow, n), row(m, fast, n)
        if a and b:
            return n, a, b
    return None


def _speed_claim(c: Claims, m: dict, id_: str, slow: str, fast: str, times: float, lesson: str, finding: str,
                 otherwise: str, cause: str | None) -> None:
    """A claim that ``fast`` ran more than ``times`` as fast as ``slow`` and faster beyond the noise, at the largest N
    both were timed at. The templates get n, ratio (ratio_text: as shown), slow_ms, fast_ms, times and, where the
    claim does not hold, verdict: which of the two conditions failed."""
    from nnlab.labs.tensors.matmul import faster
    pair = _pair_at_largest(m, slow, fast)
    if pair is None:
        c.not_shown(id_, lesson)
        return
    n, a, b = pair
    ratio = a["median_s"] / b["median_s"]
    beyond = faster(b, a)
    verdict = ("not faster beyond the noise" if not beyond else f"not more than {times:g}x")
    c.check(id_, beyond and ratio > times, cause=cause,
            numbers={"n": n, "ratio": ratio, "ratio_text": f"{ratio:.3g}" if ratio < 100 else f"{ratio:.0f}",
                     "slow_ms": _ms(a), "fast_ms": _ms(b), "times": times, "verdict": verdict},
            finding=finding, otherwise=otherwise)


def _matmul_claims(c: Claims, m: dict, quick: bool) -> None:
    from nnlab.labs.tensors.matmul import BLAS, faster, row
    cfg = m["config"]
    c.theory("matmul_flops", "C = A @ B for N x N matrices takes N^3 multiply-adds (2 N^3 flops) whatever the "
             "order of the loops, so at a constant rate the time per call grows as N^3.")

    prepared = [p for p in m["prepared"] if p["variant"] in cfg["variants"]]
    failed = [f"{p['variant']}: {p.get('gate') or p.get('reason')}" for p in prepared if p["status"] != "ok"]
    passed = [p for p in prepared if p["status"] == "ok"]
    worst = max(passed, key=lambda p: p["gate_error"], default=None)
    timed = [r for r in m["rows"] if r["status"] == "ok"]
    timed_worst = max((r["err_eps"] for r in timed), default=0.0)
    c.check("kernels_match_blas", not failed and passed and timed_worst <= 10, headline=True, cause=GATE_CAUSE,
            numbers={"count": len(passed), "kernels": ", ".join(p["variant"] for p in passed),
                     "shapes": worst["gate_shapes"] if worst else 0, "worst": worst["gate_error"] if worst else None,
                     "worst_kernel": worst["variant"] if worst else None,
                     "tol": worst["tolerance"] if worst else None, "timed_worst": timed_worst,
                     "failed": "; ".join(failed) or "none"},
            finding="All {count} kernels ({kernels}) passed the correctness gate before they were timed: on {shapes} "
                    "shapes each one's normalised error against the float64 product was at most {worst:.2g} "
                    "({worst_kernel}; tolerance 10 eps = {tol:.2g}), and every timed result was within "
                    "{timed_worst:.2f} eps of it.",
            otherwise="Not every kernel passed the correctness gate or matched the float64 product when timed "
                      "(failed: {failed}; timed results within {timed_worst:.2f} eps).")

    cores = m["cores"]
    loads = [r["load1"] for r in timed if r.get("load1") is not None]
    load = max(loads, default=0.0)
    busy = load > cores
    cause = f"the machine was busy: 1-minute load {load:.1f} on {cores} cores" if busy else None

    _speed_claim(c, m, "compiled_vs_python", "python-ikj", "numba-ikj", SPEEDUP_COMPILED,
                 "Pure Python against the same loop compiled with numba",
                 finding="At N = {n} the ikj loop compiled with numba ran {ratio_text}x as fast as the same loop in "
                         "pure Python ({fast_ms:.3g} ms per call against {slow_ms:.3g} ms): more than {times:g}x.",
                 otherwise="At N = {n} the ikj loop compiled with numba ran {ratio_text}x as fast as the same loop "
                           "in pure Python ({fast_ms:.3g} ms per call against {slow_ms:.3g} ms): {verdict}.",
                 cause=cause)
    _speed_claim(c, m, "loop_order", "numba-ijk", "numba-ikj", SPEEDUP_ORDER,
                 "The ikj loop order against ijk, compiled",
                 finding="At N = {n} numba's ikj order ran {ratio_text}x as fast as its ijk order ({fast_ms:.3g} ms "
                         "against {slow_ms:.3g} ms) with the same multiply-adds: more than {times:g}x from the order "
                         "of the loops alone.",
                 otherwise="At N = {n} numba's ikj order ran {ratio_text}x as fast as its ijk order ({fast_ms:.3g} ms "
                           "against {slow_ms:.3g} ms): {verdict}.", cause=cause)
    _speed_claim(c, m, "tiling", "numba-ikj", "numba-tiled", 1.0,
                 "The tiled kernel against ikj",
                 finding="At N = {n} the tiled kernel ran {ratio_text}x as fast as ikj ({fast_ms:.3g} ms against "
                         "{slow_ms:.3g} ms), faster beyond the noise.",
                 otherwise="At N = {n} the tiled kernel ran {ratio_text}x as fast as ikj ({fast_ms:.3g} ms against "
                           "{slow_ms:.3g} ms): {verdict}.", cause=cause)

    # BLAS against every from-scratch kernel, at every size
    scratch = [v for v in cfg["variants"] if v not in (BLAS, "torch")]
    exceptions, largest = [], None
    for n in cfg["sizes"]:
        blas = row(m, BLAS, n)
        if blas is None:
            continue
        others = [r for r in (row(m, v, n) for v in scratch) if r]
        exceptions += [f"at N = {n} {r['variant']} took {_ms(r):.3g} ms against np.matmul's {_ms(blas):.3g} ms"
                       for r in others if not faster(blas, r)]
        if others:
            largest = (n, blas, min(others, key=lambda r: r["median_s"]))
    if largest:
        n, blas, best = largest
        c.check("blas_fastest", not exceptions, cause=cause,
                numbers={"n": n, "best": best["variant"], "pct": 100 * best["gflops"] / blas["gflops"],
                         "best_gflops": best["gflops"], "blas_gflops": blas["gflops"],
                         "exceptions": "; ".join(exceptions)},
                finding="np.matmul (BLAS) was the fastest at every N, beyond the noise from every from-scratch kernel; "
                        "the best of those, {best}, reached {pct:.0f}% of its rate at N = {n} ({best_gflops:.3g} "
                        "against {blas_gflops:.3g} GFLOP/s).",
                otherwise="np.matmul (BLAS) was not faster beyond the noise at every N: {exceptions}; at N = {n} "
                          "the best from-scratch kernel, {best}, reached {pct:.0f}% of its rate.")
    c.check("timing_quiet", not busy, cause=False,
            numbers={"load": load, "cores": cores},
            finding="The timings ran on a quiet machine (load at most the number of cores): the 1-minute load "
                    "average peaked at {load:.2f} on {cores} cores.",
            otherwise="The timings did not run on a quiet machine (load at most the number of cores): the 1-minute "
                      "load average reached {load:.2f} on {cores} cores, so other processes shared the cores and "
                      "the times carry that noise.")
    if quick:
        c.not_shown("large_sizes", "The kernels at N = 512 and 1024, the full run's largest sizes")


# -- the document -------------------------------------------------------------------------------------------------

SECTION_CLAIMS = {"broadcast": ["broadcast_rule", "broadcast_no_copy"], "products": ["products_rule",
                  "products_by_hand"], "reshape": ["transpose_rule", "transpose_is_a_view", "reshape_is_not_transpose"],
                  "slicing": ["slicing_rule", "slices_view_indexing_copies"],
                  "reductions": ["reductions_rule", "reductions_by_hand"],
                  "linear": ["linear_rule", "linear_is_x_wt_plus_b"]}


def report(summary: dict) -> Document:
    """The page's document: what was computed, how to read the figures and tables; findings are claims."""
    doc = Document(TITLE)
    doc.heading("Tensors in NumPy and PyTorch")
    doc.paragraph("Each demo computes the same thing twice, once with NumPy and once with PyTorch, on small integers "
                  "in float32 (argmax gives int64), so the two can be compared exactly. Every panel of a figure is "
                  "one array: its values written in the cells (the colour repeats them, each panel on its own "
                  "scale), the code that made it, its shape, its strides and whether it is contiguous and a view of "
                  "an earlier array of the demo or an array with memory of its own, all read from the arrays of "
                  "this run. NumPy on the left, PyTorch on the right.")
    doc.paragraph("Strides: one step along axis d moves strides[d] elements through memory. PyTorch's `t.stride()` "
                  "counts elements, NumPy's `a.strides` bytes (4 per float32); the panels show both. The two "
                  "libraries are compared on values, dtype, shape, element strides, contiguity and view or copy.")
    doc.claims(["numpy_torch_agree"])
    doc.table(["demo", "what is computed", "arrays", "NumPy and PyTorch differ in"],
              [[d["demo"], d["setup"], len(d["numpy_panels"]), "; ".join(d["mismatches"]) or "nothing"]
               for d in summary["demos"]])
    for d in summary["demos"]:
        doc.heading(d["title"], 3)
        doc.paragraph(d["setup"])
        doc.claims(SECTION_CLAIMS.get(d["demo"], []))
        doc.image(d["figure"], d["title"])

    m = summary.get("matmul")
    if m:
        _matmul_section(doc, m)
    return doc


def _matmul_section(doc: Document, m: dict) -> None:
    cfg = m["config"]
    doc.heading("Matrix multiplication, from pure Python to BLAS")
    doc.paragraph(f"C = A @ B for N x N matrices in {cfg['dtype']}, N = {', '.join(map(str, cfg['sizes']))}, one "
                  "thread per kernel: kernels of `nnlab.scratch.matmul`, measured the way `nnlab matmul-bench` "
                  "measures them. First every kernel goes through the correctness gate: its normalised error "
                  "max|C - C_ref| / (max|A| max|B| K) against C_ref, the float64 product of the same operands "
                  "(np.matmul, BLAS), must stay within 10 eps on every gate shape, or the kernel is not timed. Then, "
                  f"size by size, the kernels are timed in {cfg['rounds']} interleaved rounds after a warm-up "
                  f"(together at least {cfg['min_time']:g} s and {cfg['min_samples']} samples each), and the median "
                  "and quartiles of the pooled samples are kept; NumPy runs in its own process with "
                  "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment where they are set. A call "
                  "estimated (from the kernel's last rate) to "
                  f"take longer than {cfg['max_call_s']:g} s is not timed at that size. A kernel counts as faster "
                  "than another only where its median lies below the other's first quartile: three quarters of the "
                  "other's calls took longer than its typical one.")
    doc.table(["kernel", "what it is"], [[v, m["descriptions"][v]] for v in cfg["variants"]])
    doc.claims(["matmul_flops", "kernels_match_blas"])
    doc.table(["kernel", "first call s (JIT: compile or disk cache)", "gate shapes", "worst error", "tolerance",
               "status"],
              [[p["variant"], "-" if p["compile_s"] is None else f"{p['compile_s']:.3f} ({p['cache']})",
                p.get("gate_shapes", "-"), _g(p.get("gate_error")), _g(p.get("tolerance")), p["status"]]
               for p in m["prepared"]])
    doc.paragraph("Every timed call below: median and interquartile range of the seconds per call, GFLOP/s = 2 N^3 / "
                  "median, % of np.matmul's rate at the same N, and the error of the timed result in units of "
                  "eps(float32).")
    rows = sorted(m["rows"], key=lambda r: (r["shape"][0], list(cfg["variants"]).index(r["variant"])))
    doc.table(["N", "kernel", "median ms", "IQR ms", "samples", "GFLOP/s", "% of BLAS", "error / eps"],
              [[r["shape"][0], r["variant"], _g(_ms(r), 4), _g(1e3 * (r["q3_s"] - r["q1_s"]), 2), r["samples"],
                _g(r["gflops"]), _g(r.get("pct_blas")), f"{r['err_eps']:.2f}"] for r in rows if r["status"] == "ok"])
    skipped = [r for r in rows if r["status"] != "ok"]
    if skipped:
        doc.paragraph("Not timed:")
        doc.bullets([f"{r['variant']} at N = {r['shape'][0]}: {r.get('reason')}" for r in skipped])
    doc.image("tensors_matmul.png", "rate and time per call of each kernel against N")
    doc.claims(["compiled_vs_python", "loop_order", "tiling", "blas_fastest", "timing_quiet", "large_sizes"])
    info = m["info"]
    worker = info.get("worker") or {}
    pools = "; ".join(f"{p['internal_api']} {p.get('version') or ''} ({p.get('architecture') or '-'})"
                      for p in worker.get("pools", []) if p.get("user_api") == "blas")
    doc.table(["condition", "value"],
              [["1-minute load average at start, at end", f"{info['load_start'][0]:.2f}, {info['load_end'][0]:.2f}"],
               ["cores", m["cores"]], ["NumPy's BLAS in the baseline process", pools or "unknown"],
               ["removed from its environment", ", ".join(info.get("removed_from_worker_env") or {}) or "nothing"],
               ["timing wall time (gate, compile, timing)", f"{info['wall_s']:.1f} s"]])


def _g(x, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}g}"
