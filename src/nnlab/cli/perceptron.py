"""``nnlab perceptron``: the seed's perceptron program and the perceptron lab (Figure 4, the pocket algorithm,
the capacity of a line)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument
from nnlab.cli._common import app, console, out_dir, show_claims


@app.command()
def perceptron(
    out: Annotated[Path, typer.Option(help="Directory for perceptron_visualization.png, the lab's figures (the "
                                           "line after each update as a strip and a GIF, the pocket, the capacity "
                                           "grid), report.html, report.md, claims.json and summary.json.")] = Path(
        "results/perceptron"),
    quick: Annotated[bool, typer.Option("--quick", help="Fewer pocket epochs, GIF frames and random point sets "
                                                        "(seconds, for tests and the tour).")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the 200-point data set (and of the noisy data and the random "
                                           "point sets).")] = 0,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 0.1,
    max_epochs: Annotated[int, typer.Option(help="Upper bound on epochs (the seed program, the update trace and "
                                                 "every capacity run).")] = 1000,
    dataset: Annotated[str | None, typer.Option(help="Data of the pocket section: seed-linear, gauss, moons, "
                                                        "circle, xor, spiral, seed-circle.")] = None,
    noise: Annotated[float | None, typer.Option(help="Percent of labels flipped in the pocket section's data, "
                                                        "0 to 50 (default 10).")] = None,
    n: Annotated[int | None, typer.Option(help="Training points of the pocket section, 4 to 500 (default "
                                                  "200).")] = None,
    pocket_epochs: Annotated[int | None, typer.Option(help="Epochs of the plain rule and the pocket (default "
                                                              "1000; 100 with --quick).")] = None,
):
    """The perceptron, all of it: the seed's program (a line on separable data, then failure on XOR), the line
    after each update (the seed's Figure 4, a strip and a GIF), the plain rule against the pocket algorithm on
    data no line separates (--dataset, --noise), and which labellings a line can realise (3 points, the 4 XOR
    points, Cover's count)."""
    from dataclasses import replace

    from nnlab._validation import check_int, check_positive, check_seed
    from nnlab.labs.perceptron.settings import FULL, QUICK
    check_seed("seed", seed)
    check_positive("lr", lr)
    check_int("max_epochs", max_epochs)
    changes = {"seed": seed, "lr": lr, "max_epochs": max_epochs}
    for key, value in {"dataset": dataset, "noise": noise, "n": n, "pocket_epochs": pocket_epochs}.items():
        if value is not None:
            changes[key] = value
    try:
        settings = replace(QUICK if quick else FULL, **changes)     # validates every value
    except InvalidArgument as err:
        if err.argument == "pocket_epochs":                          # a flag nnlab.cli._common.FLAGS does not name
            raise InvalidArgument(err.restated("--pocket-epochs"), "pocket_epochs") from None
        raise
    _refuse_other_page(out)
    out = out_dir(out)
    from rich.status import Status

    from nnlab.labs.perceptron import run_perceptron
    with Status("the seed's program", console=console(stderr=True)) as status:
        summary = run_perceptron(out, settings, quick=quick, progress=lambda message: status.update(message))
    lin, xor = summary["seed_program"]["linear"], summary["seed_program"]["xor"]
    con = console()
    con.print(f"separable data: converged={lin['converged']} after {lin['epochs']} epochs, "
              f"accuracy {lin['accuracy']:.1%}, w={[round(w, 4) for w in lin['weights']]}, b={lin['bias']:.4g}")
    con.print(f"XOR:            converged={xor['converged']} after {xor['epochs']} epochs, "
              f"accuracy {xor['accuracy']:.0%} (theory: no line separates XOR's classes)")
    show_claims(out, summary["wall_time_s"])


def _refuse_other_page(out: Path) -> None:
    """The lab writes report.html and summary.json: refuse a directory whose summary.json is another page's (the
    tour's seed page in results/, say), in one line, rather than overwrite it."""
    summary = out / "summary.json"
    if not summary.is_file():
        return
    try:
        lab = json.loads(summary.read_text(encoding="utf-8")).get("run", {}).get("lab")
    except (OSError, ValueError, AttributeError):
        return
    if lab is not None and lab != "perceptron":
        raise InvalidArgument(f"--out {out} holds the page of '{lab}' (its summary.json); the perceptron lab "
                              f"would overwrite it. Choose another directory, e.g. {out / 'perceptron'}.", "out")
