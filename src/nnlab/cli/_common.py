"""What every command shares: the app, output directories, consoles, progress bars, flag names for errors."""
from __future__ import annotations

from pathlib import Path

import typer

from nnlab._validation import InvalidArgument

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="nnlab: the perceptron, multi-layer perceptrons and how they train, from first principles.")

# Library parameter name -> the flag a user typed, so errors name what the user can change.
FLAGS = {"dataset": "--dataset", "n": "--n", "noise": "--noise", "seed": "--seed", "test_fraction": "--test-fraction",
         "rng": "--rng",
         "hidden_sizes": "--hidden", "hidden": "--hidden", "activation": "--activation", "optimizer": "--optimizer",
         "lr": "--lr", "lr_schedule": "--lr-schedule", "epochs": "--epochs", "batch_size": "--batch-size",
         "loss": "--loss", "l1": "--l1",
         "l2": "--l2", "early_stopping": "--early-stopping", "classes": "--classes", "dropout": "--dropout",
         "init": "--init", "config": "--config", "out": "--out", "csv": "--csv", "path": "--csv",
         "preset": "--preset", "max_epochs": "--max-epochs", "engine": "--engine",
         "store": "--store", "format": "--format", "status": "--status", "target": "--targets",
         "widths": "--widths", "restarts": "--restarts", "activations": "--activations",
         "part": "--part", "function": "--function", "tol": "--tol", "x0": "--x0", "max_iter": "--max-iter",
         "augment_jitter": "--augment-jitter", "augment_shift": "--augment-shift", "regularizers": "--regularizers",
         "seeds": "--seeds", "datasets": "--dataset", "depth": "--depth", "width": "--width",
         "pocket_epochs": "--pocket-epochs", "max_shift": "--max-shift", "shapes_n": "--shapes-n",
         "address": "--address", "executor": "--executor", "rounds": "--rounds", "threads": "--threads",
         "sizes": "--sizes", "variants": "--variants",
         "train_width": "--train-width", "inits": "--inits", "init_std": "--init-std",
         "residual": "--residual", "device": "--device", "precision": "--precision", "only": "--only",
         "port": "--port", "folds": "--folds"}


def choices(registry) -> str:
    return ", ".join(registry)


def parse_names(text: str, argument: str, allowed=None) -> tuple[str, ...]:
    """A comma-separated list of names from a flag: at least one, each of ``allowed`` when given. The one parser
    of every list flag (``parse_ints`` for numbers)."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [n for n in names if allowed is not None and n not in allowed]
    if not names or unknown:
        what = ("one or more comma-separated names" if allowed is None
                else f"one or more comma-separated names from [{', '.join(allowed)}]")
        raise InvalidArgument(f"The '{argument}' parameter must be {what}. Got {text!r} instead.", argument,
                              allowed=what, value=text)
    return names


def parse_ints(text: str, argument: str) -> tuple[int, ...]:
    """A comma-separated list of integers from a flag ('64,256,1024'); at least one."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        values = ()
    if not values:
        what = "one or more comma-separated integers such as '64,256,1024'"
        raise InvalidArgument(f"The '{argument}' parameter must be {what}. Got {text!r} instead.", argument,
                              allowed=what, value=text)
    return values


def console(stderr: bool = False):
    """A rich console; when output is not a terminal (a pipe, a file, a test), lines are not wrapped at 80."""
    import sys

    from rich.console import Console
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, width=width)


def out_dir(path: Path) -> Path:
    """Create ``path`` and check that it takes files; raise InvalidArgument naming --out otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".nnlab-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise InvalidArgument(f"cannot write to the output directory '{path}': {err.strerror or err}.", "out") from None
    return path


def progress(description: str):
    from nnlab.training.observers import ProgressBar
    return ProgressBar(description, console=console(stderr=True))


_STYLES = {"holds": "green", "does not hold": "red", "not shown": "dim", "theory": "blue"}


def show_claims(out: Path, seconds: float | None = None) -> None:
    """Print a lab run's claims from ``out/claims.json``, headlines first, each with its status, then where the
    page is: the command says what the page says."""
    from rich.markup import escape

    from nnlab.claims import load_claims
    claims = load_claims(out)
    con = console()
    for c in sorted(claims, key=lambda c: not c.headline):
        label = c.markdown().split("**")[1]
        con.print(f"[{_STYLES[c.status]}]{label}[/] {escape(c.text)}", soft_wrap=True, markup=True)
    counts = claims.counts()
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    con.print(f"{counts['holds']} findings, {counts['does not hold']} not found, {counts['not shown']} not shown, "
              f"{counts['theory']} theory; wrote {out}/report.html, report.md, claims.json and summary.json{took}",
              soft_wrap=True)


def describe(cfg) -> str:
    """'2->8->8->2 relu' for a model config."""
    sizes = [cfg.model.input_size, *cfg.model.hidden_sizes, cfg.model.output_size]
    return f"{'->'.join(map(str, sizes))} {cfg.model.activation}"


