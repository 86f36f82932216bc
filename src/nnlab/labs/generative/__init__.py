"""Generative models on the plane: scikit-learn's GaussianMixture (the baseline), a VAE with a 2-D latent and a GAN,
fitted to a ring of 8 Gaussians, the spiral and the two moons. Samples are drawn over the data and scored against
held-out points: modes covered on the ring and the maximum mean discrepancy (MMD) everywhere, beside the MMD of a
second data sample (the noise floor). ``run_generative`` writes the figures, ``summary.json``, ``claims.json``,
``report.md`` and ``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.labs.generative.settings import DATASETS, FULL, QUICK, Settings

__all__ = ["run_generative", "fit_dataset", "Settings", "QUICK", "FULL", "DATASETS"]

MODELS = ("gmm", "vae", "gan")
MODEL_NAMES = {"gmm": "GMM", "vae": "VAE", "gan": "GAN", "data": "held-out data"}


def run_generative(out: str | Path, settings: Settings = FULL, quick: bool | None = None,
                   progress=lambda message: None) -> dict:
    """Fit the three models to every data set of ``settings``, score their samples, run the divergence
    demonstration; write the figures and the page into ``out``. Returns the summary. ``quick`` (default: whether
    ``settings`` is ``QUICK``) marks the page as a quick run. Torch and BLAS run on one thread."""
    from nnlab.labs._threads import one_thread
    quick = settings == QUICK if quick is None else quick
    with one_thread():
        return _run(out, settings, quick, progress)


def fit_dataset(name: str, s: Settings, progress=lambda message: None) -> dict:
    """Data, the three fitted models, their samples and scores for data set ``name``. Seeds: training data
    ``seed``, held-out ``seed + 1``, the noise-floor sample ``seed + 2``, model samples ``seed + 5``."""
    import numpy as np

    from nnlab.labs.generative import models as M
    from nnlab.labs.generative.data import make_data, ring_centres
    from nnlab.labs.generative.metrics import mmd, mode_counts, modes_covered, near_fraction

    base = s.seed * 10 + list(DATASETS).index(name) * 1000
    X, X_test, X_floor = (make_data(name, n, base + k) for k, n in ((0, s.n_train), (1, s.n_test), (2, s.n_test)))
    progress(f"{name}: Gaussian mixture")
    gmm = M.fit_gmm(X, s.gmm_components, s.seed)
    progress(f"{name}: VAE")
    vae = M.train_vae(X, X_test, hidden=s.hidden, steps=s.vae_steps, lr=s.vae_lr, batch=s.batch, seed=s.seed,
                      warmup=s.vae_warmup)
    progress(f"{name}: GAN")
    gan = M.train_gan(X, hidden=s.hidden, noise_dim=s.gan_noise_dim, steps=s.gan_steps, lr=s.gan_lr, batch=s.batch,
                      seed=s.seed, snapshots=s.snapshots, snapshot_size=s.n_test)
    n, at = s.n_test, base + 5
    # the GAN's final samples are its last snapshot: the fixed noise batch at the last step, as drawn over training
    finished = gan.non_finite is None and gan.snapshots and gan.snapshots[-1][0] == gan.steps_run
    samples = {"gmm": M.gmm_sample(gmm, n, at), "vae": vae.sample(n, at),
               "gan": gan.snapshots[-1][1] if finished else np.full((n, 2), np.nan)}
    result = {"name": name, "X": X, "X_test": X_test, "X_floor": X_floor, "gmm": gmm, "vae": vae, "gan": gan,
              "samples": samples,
              "mmd": {m: mmd(samples[m], X_test, s.mmd_bandwidth) for m in MODELS},
              "noise_floor": mmd(X_floor, X_test, s.mmd_bandwidth),
              "gmm_test_log_likelihood": float(gmm.score(X_test))}
    result["snapshot_mmd"] = [(step, mmd(x, X_test, s.mmd_bandwidth)) for step, x in gan.snapshots]
    if name == "ring":
        C = ring_centres()
        covered = lambda x: modes_covered(x, C, s.mode_radius, s.mode_min_count)
        result["modes"] = {m: covered(samples[m]) for m in MODELS} | {"data": covered(X_floor)}
        result["mode_counts"] = {m: mode_counts(samples[m], C, s.mode_radius).tolist() for m in MODELS} | {
            "data": mode_counts(X_floor, C, s.mode_radius).tolist()}
        result["near"] = {m: near_fraction(samples[m], C, s.mode_radius) for m in MODELS} | {
            "data": near_fraction(X_floor, C, s.mode_radius)}
        result["snapshot_modes"] = [(step, covered(x)) for step, x in gan.snapshots]
        if not finished:                       # a diverged GAN has no samples: nothing counted, reported as such
            result["modes"]["gan"] = result["near"]["gan"] = None
    return result


def explode(s: Settings, X) -> dict:
    """The GAN again with plain SGD at learning rate ``explode_lr``, for at most ``explode_steps`` steps: where its
    first non-finite value appears (or that none did)."""
    from nnlab.labs.generative.models import train_gan
    gan = train_gan(X, hidden=s.hidden, noise_dim=s.gan_noise_dim, steps=s.explode_steps, lr=s.explode_lr,
                    batch=s.batch, seed=s.seed, snapshots=2, snapshot_size=16, optimizer="sgd")
    return {"lr": s.explode_lr, "steps": s.explode_steps, "steps_run": gan.steps_run, "non_finite": gan.non_finite}


def _run(out: str | Path, s: Settings, quick: bool, progress) -> dict:
    from nnlab.labpage import write_lab
    from nnlab.labs.generative import figures as F
    from nnlab.labs.generative.report import make_claims, report
    from nnlab.viz import save

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    fits = [fit_dataset(name, s, progress) for name in s.datasets]
    progress("a GAN with a learning rate too large")
    boom = explode(s, fits[0]["X"])

    progress("figures")
    files = save(F.plot_samples(fits, s), out / "generative_samples.png")
    files += save(F.plot_mmd(fits, s), out / "generative_mmd.png")
    files += save(F.plot_vae_elbo(fits), out / "generative_vae_elbo.png")
    files += save(F.plot_vae_latent(fits), out / "generative_vae_latent.png")
    files += save(F.plot_gan_training(fits, s), out / "generative_gan_training.png")

    by_dataset = {f["name"]: _dataset_summary(f) for f in fits}
    primary = s.datasets[0]
    ring = by_dataset.get("ring")
    summary = {
        "settings": asdict(s),
        "primary_dataset": primary,
        "modes_covered": {m: ring["modes_covered"][m] for m in MODELS} if ring else None,
        "modes_covered_heldout": ring["modes_covered"]["data"] if ring else None,
        "mmd_to_data": by_dataset[primary]["mmd_to_data"],
        "mmd_noise_floor": by_dataset[primary]["mmd_noise_floor"],
        "vae_elbo": by_dataset[primary]["vae"]["elbo"],
        "by_dataset": by_dataset,
        "gan_explode": boom,
        "files": [f.name for f in files],
        "wall_time_s": time.perf_counter() - start,
    }
    result = write_lab(out, report(summary, s), make_claims(summary, s, quick), summary, lab="generative",
                       quick=quick, seconds=summary["wall_time_s"])
    return result.summary


def _dataset_summary(f: dict) -> dict:
    vae, gan = f["vae"], f["gan"]
    d = {"mmd_to_data": dict(f["mmd"]), "mmd_noise_floor": f["noise_floor"],
         "gmm_test_log_likelihood": f["gmm_test_log_likelihood"],
         "vae": {"elbo": vae.elbo[-1], "reconstruction": vae.reconstruction[-1], "kl": vae.kl[-1],
                 "elbo_start": vae.elbo[0], "decoder_std": vae.log_std.detach().exp().tolist(),
                 "curve": {"step": vae.steps, "elbo": vae.elbo, "reconstruction": vae.reconstruction,
                           "kl": vae.kl}},
         "gan": {"steps_run": gan.steps_run, "non_finite": gan.non_finite,
                 "snapshot_mmd": {str(step): v for step, v in f["snapshot_mmd"]}}}
    if "modes" in f:
        d["modes_covered"] = f["modes"]
        d["mode_counts"] = f["mode_counts"]
        d["near_fraction"] = f["near"]
        d["gan"]["snapshot_modes"] = {str(step): k for step, k in f["snapshot_modes"]}
    return d
