"""``nnlab gd`` run as a user runs it: bad input gets one line and exit 2; --quick publishes its page (summary.json,
claims.json, report.md, report.html) with every headline claim holding and no figure problems."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labcheck import check_lab_outputs

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]


def nnlab(*args, timeout=600):
    return subprocess.run(NNLAB + list(args), capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, flag, shown", [
    (["--function", "rosenbrok"], "--function", "rosenbrock"),
    (["--function", "saddle,nope"], "--function", "himmelblau"),
    (["--optimizer", "adamm"], "--optimizer", "nesterov"),
    (["--optimizer", "adamw", "--part", "paths"], "--optimizer", "'gd'"),
    (["--tol", "0"], "--tol", "(0, inf)"),
    (["--tol", "-1e-3"], "--tol", "Got -0.001"),
    (["--lr", "0"], "--lr", "(0, inf)"),
    (["--lr", "0.1,-2"], "--lr", "Got -2.0"),
    (["--lr", "fast"], "--lr", "comma-separated"),
    (["--batch-size", "65"], "--batch-size", "[1, 64]"),
    (["--batch-size", "0"], "--batch-size", "Got 0"),
    (["--part", "c"], "--part", "network"),
    (["--max-iter", "0"], "--max-iter", ">= 1"),
])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, args, flag, shown):
    result = nnlab("gd", "--quick", "--out", str(tmp_path / "o"), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {flag}") and shown in lines[0], result.stderr
    assert not (tmp_path / "o").exists()                  # nothing is written before the input is checked


def test_help_lists_the_parts_functions_and_optimizers():
    result = nnlab("gd", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for word in ("paths", "compare", "network", "himmelblau", "rastrigin", "saddle", "nesterov", "--quick"):
        assert word in text


HEADLINES = {"a_converges_iff_lr_below_1", "b_floor_matches_theory", "b_floor_grows_with_lr",
             "b_small_batches_first_per_example", "heavy_ball_faster", "tuned_lrs_differ", "net_adam_before_sgd"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("gd")
    result = nnlab("gd", "--quick", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "summary.json").read_text()), (out / "report.md").read_text(), result.stdout


def test_quick_run_publishes_its_page_and_every_headline_holds(quick):
    out, _, _, stdout = quick
    claims = check_lab_outputs(out, "gd")
    ids = {c["id"] for c in claims}
    assert HEADLINES <= ids
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    assert not (out / "summary.md").exists()
    for claim in claims:                                  # the command says what the page says
        assert claim["text"][:60] in " ".join(stdout.split())


def test_quick_run_writes_every_figure_it_names(quick):
    out, summary, markdown, _ = quick
    assert len(summary["files"]) >= 10
    for name in summary["files"]:
        img = np.asarray(Image.open(out / name).convert("L"), dtype=float)
        assert img.shape[0] > 300 and img.std() > 10          # a real picture, not a blank canvas
        assert f"]({name})" in markdown                       # and the report shows it


def test_quick_run_summary_holds_the_key_numbers(quick):
    _, summary, _, _ = quick
    parts = summary["parts"]
    assert set(parts) == {"a", "b", "paths", "compare", "network"}
    a = parts["a"]
    assert a["max_count_difference"] <= 1 and a["lr_0.5_iterations"] == 1 and a["lr_ge_1_converged"] == 0
    assert parts["b"]["coefficients"] == [1.0, 4.0, 4.0]
    rates = parts["paths"]["rates"]
    assert rates["gd_relative_error"] < 0.02 and rates["heavy_ball_relative_error"] < 0.02
    assert set(parts["paths"]["himmelblau"]["reached_from"]["(0, 0)"]) == set(parts["paths"]["optimizers"])
    assert parts["compare"]["functions"]["himmelblau"]["gd"]["lr"] > 0
    assert len(parts["network"]["optimizers"]) == 7


def test_the_page_shows_the_measured_numbers_it_claims(quick):
    # one meaning per number: the noise floor the claim cites is the table's, and the table is the summary's
    out, summary, markdown, _ = quick
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    for row in summary["parts"]["b"]["noise_floor"]:
        cited = claims["b_floor_grows_with_lr"]["numbers"][f"floor_lr{row['lr']:g}_b{row['batch_size']}"]
        assert cited == row["measured"] and f"{row['measured']:.3g}" in markdown
    for name, row in summary["parts"]["network"]["optimizers"].items():
        assert f"| {name} | {row['lr']:g} |" in markdown and f"{row['final_loss']:.4f}" in markdown


def test_the_shared_lr_claim_is_counted_from_the_sweep(quick):
    # audit: "one shared lr would have been wrong for most of them" was a fixed clause; now a claim recounted here
    out, summary, markdown, _ = quick
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    cmp = summary["parts"]["compare"]
    per = cmp["functions"]["himmelblau"]
    within = [sum(s[i] is not None and s[i] <= cmp["good"] for s in (per[o]["scores"] for o in per))
              for i in range(len(cmp["grid"]))]
    shared = claims["shared_lr_falls_short"]
    assert shared["holds"] and shared["numbers"]["shared"]["himmelblau"]["most"] == max(within) < len(per)
    assert f"at most {max(within)} of the {len(per)}" in shared["text"]
    assert "wrong for most of them" not in markdown


def test_unsettled_starts_are_told_in_the_tables_categories_without_a_quick_caveat(quick):
    out, summary, markdown, _ = quick
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    from nnlab.labs.gd.basins import share_text
    settle = claims["himmelblau_runs_settle"]["text"]
    for o, sh in summary["parts"]["paths"]["himmelblau"]["basin_shares"].items():
        for key, word in (("none", "near none"), ("diverged", "diverged")):
            if sh[key] > 0:                                   # every share the table shows, in the table's words
                assert f"{o} {word} from {share_text(sh[key])}" in settle or \
                       f"{o} ends {word} from {share_text(sh[key])}" in settle, (o, key, settle)
                assert f"| {share_text(sh[key])} |" in markdown
    assert "or diverging" not in settle
    for cid in ("himmelblau_runs_settle", "net_kept_target"):   # a longer run is not what these wait for
        assert "--quick" not in claims[cid]["text"]


def test_the_surface_and_its_contour_map_use_one_log_offset():
    from nnlab.labs.gd.functions import FUNCTIONS
    from nnlab.labs.gd.plots_2d import plot_surface
    from nnlab.labs.gd.tuning import log_grid, sweep
    fn = FUNCTIONS["himmelblau"]
    fig = plot_surface(fn, {"gd": sweep(fn, "gd", log_grid(1e-3, 1e-2, 2), 20)}, points=30)
    z_label = next(ax for ax in fig.axes if hasattr(ax, "get_zlabel")).get_zlabel()
    bar_label = fig.axes[-1].get_ylabel()
    shift = z_label.split("+ ")[1].rstrip(")")
    assert z_label.startswith("log10(f - f* + ") and bar_label == f"f - f* + {shift} (log scale)"
