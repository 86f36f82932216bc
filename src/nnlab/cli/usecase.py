"""``nnlab usecase``: exercise 1.5, an MLP on real data against scikit-learn baselines."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, console, out_dir, show_claims

_CASES = ("breast-cancer", "digits")        # keys of nnlab.labs.usecase.USECASES (kept here: no heavy import)


@app.command()
def usecase(
    out: Annotated[Path, typer.Option(help="Directory for figures, exported models and the page.")]
    = Path("results/usecase"),
    dataset: Annotated[str, typer.Option(help=f"Which case: {', '.join(_CASES)} or all.")] = "all",
    folds: Annotated[int, typer.Option(help="Folds of the stratified cross-validation (>= 2).")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the folds, initial weights and batch order.")] = 0,
    quick: Annotated[bool, typer.Option("--quick", help="Fewer epochs (20) and boosting rounds (20): seconds, for "
                                                        "the tour and tests.")] = False,
):
    """Medical diagnosis (breast cancer) and handwritten digits: nnlab's MLP against scikit-learn, k-fold."""
    from nnlab._validation import InvalidArgument, check_choice, check_seed
    from nnlab.labs.usecase import USECASES, run_usecase
    check_choice("dataset", dataset, [*USECASES, "all"])
    if folds < 2:
        raise InvalidArgument(f"--folds: cross-validation needs at least 2 folds. Got {folds} instead.", "folds")
    check_seed("seed", seed)
    out = out_dir(out)
    summary = run_usecase(out, None if dataset == "all" else [dataset], folds=folds, seed=seed, quick=quick)
    con = console()
    for case in summary["cases"].values():
        con.print(f"[bold]{case['title']}[/] ({case['n']} samples, {case['folds']}-fold)")
        for name, m in case["models"].items():
            acc, auc = m["folds"]["accuracy"], m["folds"]["roc_auc"]
            con.print(f"  {case['titles'][name]:22s} accuracy {acc['mean']:.4f} ± {acc['std']:.4f}   "
                      f"ROC AUC {auc['mean']:.4f} ± {auc['std']:.4f}")
    show_claims(out, summary["wall_time_s"])
