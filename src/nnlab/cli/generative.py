"""``nnlab generative``: a Gaussian mixture, a VAE and a GAN on 2-D data, their samples scored against the data."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli._common import app, choices, console, out_dir, parse_names, show_claims
from nnlab.labs.generative.settings import DATASETS


@app.command()
def generative(
    out: Annotated[Path, typer.Option(help="Directory for the figures, report.html, report.md, claims.json and "
                                           "summary.json.")] = Path("results/generative"),
    quick: Annotated[bool, typer.Option("--quick", help="The ring only, fewer steps (seconds, for tests and the "
                                                        "tour).")] = False,
    dataset: Annotated[str | None, typer.Option(help=f"Comma-separated data sets: {choices(DATASETS)}.")] = None,
    vae_steps: Annotated[int | None, typer.Option(help="VAE training steps.")] = None,
    gan_steps: Annotated[int | None, typer.Option(help="GAN training steps (each: one discriminator and one "
                                                          "generator step).")] = None,
    gan_lr: Annotated[float | None, typer.Option(help="The GAN's Adam learning rate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for data, weights and samples.")] = None,
):
    """Generative models on the plane: GaussianMixture, a VAE (2-D latent) and a GAN on a ring of 8 Gaussians, the
    spiral and the two moons; modes covered and MMD against held-out data, beside the noise floor."""
    from nnlab._validation import check_choice, check_int, check_positive, check_seed
    from nnlab.labs.generative import FULL, QUICK, run_generative
    changes = {}
    if dataset is not None:
        names = parse_names(dataset, "dataset")
        for name in names:
            check_choice("--dataset", name, DATASETS)
        changes["datasets"] = tuple(dict.fromkeys(names))
    for flag, key, value in (("--vae-steps", "vae_steps", vae_steps), ("--gan-steps", "gan_steps", gan_steps)):
        if value is not None:
            changes[key] = check_int(flag, value)
    if gan_lr is not None:
        changes["gan_lr"] = check_positive("--gan-lr", gan_lr)
    if seed is not None:
        changes["seed"] = check_seed("--seed", seed)
    base = QUICK if quick else FULL
    settings = replace(base, **changes)          # validates every value
    out = out_dir(out)
    from rich.status import Status
    with Status("starting", console=console(stderr=True)) as status:
        summary = run_generative(out, settings, quick=quick, progress=lambda message: status.update(message))
    show_claims(out, summary["wall_time_s"])
