"""``nnlab train``: one MLP run from a preset, a config file or flags, recorded in the run store."""
from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from nnlab._validation import InvalidArgument, parse_sizes
from nnlab.cli._common import app, choices, console, describe, out_dir, progress
from nnlab.config import PRESETS
from nnlab.data import DATASETS
from nnlab.nn.activations import ACTIVATIONS
from nnlab.nn.init import INITS
from nnlab.numbers import final_text
from nnlab.training.engines import ENGINES
from nnlab.training.losses import LOSSES
from nnlab.training.optimizers import OPTIMIZERS


@app.command()
def train(
    dataset: Annotated[str | None, typer.Option(help=f"Data set: {choices(DATASETS)}.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Train on a CSV file (header x1,x2[,...],label) instead.")] = None,
    n: Annotated[int | None, typer.Option(help="Number of points (default: the data set's own).")] = None,
    noise: Annotated[float | None, typer.Option(help="Generator noise (see 'nnlab datasets').")] = None,
    classes: Annotated[int | None, typer.Option(help="Number of classes (spirals).")] = None,
    test_fraction: Annotated[float | None, typer.Option(help="Share held out for testing, in [0, 1).")] = None,
    rng: Annotated[str | None, typer.Option(help="numpy, or seedrandom: TensorFlow Playground's own stream for "
                                                    "its six data sets (seed s = its 0.s), shuffle and cut.")] = None,
    hidden: Annotated[str | None, typer.Option(help="Hidden layer sizes, e.g. '8,8,8,8,8'; '' for none.")] = None,
    activation: Annotated[str | None, typer.Option(help=f"Hidden activation: {choices(ACTIVATIONS)}.")] = None,
    init: Annotated[str | None, typer.Option(help=f"Weight initialisation: {choices(INITS)}.")] = None,
    dropout: Annotated[float | None, typer.Option(help="Dropout probability after each hidden layer.")] = None,
    batch_norm: Annotated[bool | None, typer.Option("--batch-norm/--no-batch-norm",
                                                       help="Batch norm before each hidden activation.")] = None,
    residual: Annotated[bool | None, typer.Option(
        "--residual/--no-residual", help="Skip connections around width-keeping hidden layers.")] = None,
    optimizer: Annotated[str | None, typer.Option(help=f"Optimizer: {choices(OPTIMIZERS)}.")] = None,
    lr: Annotated[float | None, typer.Option(help="Learning rate (> 0).")] = None,
    lr_schedule: Annotated[str | None, typer.Option(help="Learning-rate schedule: constant, or cosine (from "
                                                            "--lr down towards 0 over the epochs).")] = None,
    epochs: Annotated[int | None, typer.Option(help="Number of epochs (> 0).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Mini-batch size; 0 = full batch.")] = None,
    loss: Annotated[str | None, typer.Option(help=f"Loss: {choices(LOSSES)}.")] = None,
    l1: Annotated[float | None, typer.Option(help="L1 penalty on weights.")] = None,
    l2: Annotated[float | None, typer.Option(help="L2 penalty on weights.")] = None,
    early_stopping: Annotated[int | None, typer.Option(help="Patience in epochs; 0 = off. Restores the best "
                                                              "epoch's weights.")] = None,
    augment_jitter: Annotated[float | None, typer.Option(help="Augmentation: std of Gaussian noise added to the "
                                                                 "training inputs, fresh each epoch.")] = None,
    augment_shift: Annotated[float | None, typer.Option(help="Augmentation for square-image inputs: shift each "
                                                                "by up to this many pixels, fresh each epoch.")] = None,
    engine: Annotated[str | None, typer.Option(help=f"Training engine: {choices(ENGINES)} (auto: fast for "
                                                       "small MLPs on the CPU, else torch).")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda (the torch engine; auto: CUDA when "
                                                       "present).")] = None,
    precision: Annotated[str | None, typer.Option(help="fp32, bf16 (autocast, CPU or CUDA) or fp16 (CUDA, "
                                                          "with a gradient scaler).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for data, initial weights and batch order.")] = None,
    preset: Annotated[str | None, typer.Option(help=f"Start from a preset: {choices(PRESETS)}.")] = None,
    config: Annotated[Path | None, typer.Option(help="Start from a config JSON (as written by every run).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default results/train-<dataset>).")] = None,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the figures.")] = False,
    store: Annotated[Path | None, typer.Option(help="Run store directory the run is recorded in (default "
                                                       "$NNLAB_STORE or ./nnlab-runs).")] = None,
    record: Annotated[bool, typer.Option("--record/--no-record", help="Record the run in the run store.")] = True,
):
    """Train an MLP; write config.json, history.json and the figures into --out; record the run in the store."""
    from nnlab._validation import check_choice
    from nnlab.config import RunConfig

    # 1) the starting config: a preset, a file, or the defaults (the seed's circle MLP)
    if preset is not None and config is not None:
        raise InvalidArgument("give either --preset or --config, not both.", "preset")
    if preset is not None:
        base = PRESETS[check_choice("preset", preset, PRESETS)]
    elif config is not None:
        base = RunConfig.from_json(config)
    else:
        base = PRESETS["seed-circle"]
    # 2) flags given on the command line override it
    data, model, train_ = {}, {}, {}
    for key, value in {"dataset": dataset, "n": n, "noise": noise, "classes": classes,
                       "test_fraction": test_fraction, "seed": seed, "rng": rng}.items():
        if value is not None:
            data[key] = value
    if csv is not None:
        data.update(dataset="csv", path=str(csv))
    if hidden is not None:
        model["hidden_sizes"] = list(parse_sizes(hidden))
    for key, value in {"activation": activation, "init": init, "dropout": dropout, "batch_norm": batch_norm,
                       "residual": residual}.items():
        if value is not None:
            model[key] = value
    if engine is not None:
        check_choice("engine", engine, ENGINES)
    for key, value in {"optimizer": optimizer, "lr": lr, "lr_schedule": lr_schedule, "epochs": epochs, "loss": loss,
                       "l1": l1, "l2": l2,
                       "augment_jitter": augment_jitter, "augment_shift": augment_shift, "seed": seed,
                       "engine": engine, "device": device, "precision": precision}.items():
        if value is not None:
            train_[key] = value
    # 0 stands for None on the command line: say so when refusing a value
    for key, value, zero in (("batch_size", batch_size, "the full batch"), ("early_stopping", early_stopping, "off")):
        if value is not None and value < 0:
            raise InvalidArgument(f"The '{key}' parameter must be an integer >= 0 (0 = {zero}). Got {value} instead.",
                                  key, allowed=f"an integer >= 0 (0 = {zero})", value=value)
        if value is not None:
            train_[key] = None if value == 0 else value
    cfg = base.replace(data=data, model=model, train=train_)

    # 3) data first (bad CSVs fail here), then the run directory, then training
    from nnlab.data.prepare import prepare
    from nnlab.training.losses import check_compatible
    from nnlab.training.run import sized_for_data
    prepared = prepare(cfg.data, loss=cfg.train.loss)
    cfg = sized_for_data(cfg, prepared)
    check_compatible(cfg.train.loss, prepared.task, prepared.n_classes, cfg.model.output_size)
    if record:                                             # an unwritable store fails here, before training
        from nnlab.runs import RunStore
        runs = RunStore.open_writable(store)
    else:
        runs = None
    out = out_dir(out or Path("results") / f"train-{cfg.data.dataset}")
    (out / "config.json").write_text(cfg.to_json())

    from nnlab.training import GradientCapture
    # the gradient heatmap reads torch gradients after every backward pass: not on the fast engine
    capture = None if no_figures or cfg.train.engine == "fast" else GradientCapture()
    observers = [progress(f"{cfg.data.dataset}")] + ([capture] if capture else [])
    try:
        run, run_id = _train_recorded(cfg, prepared, observers, runs, out)
        _report(run, cfg, capture, out, no_figures, prepared, runs, run_id)
    finally:
        if runs is not None:
            runs.close()


def _train_recorded(cfg, prepared, observers: list, runs, out: Path):
    """Train; with a store, as a recorded run (closed as finished, interrupted or failed). Returns (run, run_id).

    Ctrl-C outside the epochs (fit turns one inside them into ``history.interrupted``) - while the run is being
    recorded, before the first epoch, while it is closed - reaches ``recorded_run`` as the KeyboardInterrupt it is,
    so the run is closed as interrupted, and only then becomes exit code 130.
    """
    from nnlab.training.run import train as run_training
    run = None
    try:
        with ExitStack() as stack:
            run_id = None
            if runs is not None:
                from nnlab.runs import recorded_run, run_versions
                from nnlab.training.engines import choose_engine
                engine = choose_engine(cfg.train.engine, cfg.train, model_config=cfg.model,
                                       observers=observers).engine
                run_id, recorder = stack.enter_context(recorded_run(
                    runs, cfg.to_dict(), name=f"train {cfg.data.dataset}", tags=["train"],
                    versions=run_versions(engine=engine)))
                observers = [*observers, recorder]
            run = run_training(cfg, observers=observers, data=prepared)
            if run_id is not None:
                recorder.outcome = run.history
                runs.add_artifacts(run_id, [("config", str(out / "config.json")),
                                            ("history", str(out / "history.json"))])
    except KeyboardInterrupt:
        print(f"Interrupted {'before training started' if run is None else 'after training'}; kept "
              f"{out}/config.json.")
        raise typer.Exit(130) from None
    return run, run_id


def _report(run, cfg, capture, out: Path, no_figures: bool, prepared, runs, run_id) -> None:
    """Write history.json and the figures, and say what happened (Ctrl-C during training exits 130)."""
    history = run.history
    (out / "history.json").write_text(json.dumps(history.to_dict(), indent=2))

    con = console()
    if history.interrupted:
        con.print(f"Interrupted at epoch {history.epochs_run} of {cfg.train.epochs}; kept {out}/config.json and "
                  f"{out}/history.json.")
        raise typer.Exit(130)
    files = []
    if not no_figures:
        from nnlab.programs import write_run_figures
        files = write_run_figures(run, capture, out, title=f"{cfg.data.dataset}: {describe(cfg)}")
    parts = [f"dataset {cfg.data.dataset} ({len(prepared.X_train)} train / {len(prepared.X_test)} test)",
             f"model {describe(cfg)}, {run.n_parameters} parameters",
             f"{cfg.train.optimizer} lr {cfg.train.lr}, {history.epochs_run} epochs in {history.wall_time_s:.2f} s"
             + _kernels_note(history),
             f"engine {run.engine.engine} ({run.engine.reason})"
             + (f", {history.device} {history.precision}" if history.engine == "torch" else "")]
    if not no_figures and capture is None:
        parts.append("no gradient_heatmap.png: it needs torch gradients (--engine torch or auto)")
    con.print("\n".join(parts), soft_wrap=True)
    con.print(final_text(history.final) + " (the finished model in eval mode)", soft_wrap=True)
    if history.stopped_early:
        con.print(f"stopped early after {history.epochs_run} epochs (no improvement for "
                  f"{cfg.train.early_stopping} epochs); the model holds the weights of epoch {history.best_epoch}")
    if history.diverged:
        con.print("[bold red]the loss became NaN or infinite; training stopped. Try a smaller --lr.[/]")
    if run_id is not None:
        runs.add_artifacts(run_id, [("figure", str(f)) for f in files])
        con.print(f"recorded as run {run_id} in {runs.file} (nnlab runs show {run_id})", soft_wrap=True)
    con.print(f"wrote {out}/config.json, {out}/history.json" + "".join(f", {f}" for f in files))


def _kernels_note(history) -> str:
    """' (+ kernels loaded from the disk cache in 0.41 s)' on the fast engine: compile time is not training."""
    if history.kernels == "compiled":
        return f" (+ kernels compiled in {history.compile_time_s:.1f} s, cached on disk for the next run)"
    if history.kernels == "cached":
        return f" (+ kernels loaded from the disk cache in {history.compile_time_s:.2f} s)"
    return ""
