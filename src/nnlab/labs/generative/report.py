"""The generative lab's page: its claims, built from summary.json's numbers, and the document around them."""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document
from nnlab.labs.generative.settings import DATASETS, FULL, Settings

__all__ = ["report", "make_claims"]

TITLE = "Generative models on the plane: a Gaussian mixture, a VAE and a GAN"
MODELS = ("gmm", "vae", "gan")
NAMES = {"gmm": "GMM", "vae": "VAE", "gan": "GAN"}
ELBO_GAIN = 0.1          # nats per point: the held-out ELBO rose during training by more than this
NEAR_GAP = 0.15          # the VAE's share of samples near a mode lies this far below the GMM's: blur between modes
KL_IN_USE = 0.5          # nats: a KL term above this means the latent carries information (no posterior collapse)


def make_claims(summary: dict, s: Settings, quick: bool) -> Claims:
    """Every sentence from this run's numbers; a finding only where its predicate holds."""
    c = Claims(quick=quick)
    by = summary["by_dataset"]
    c.theory("elbo_theory", "The VAE maximises the ELBO, E_q[log p(x|z)] - KL(q(z|x) || p(z)), a lower bound on "
             "log p(x); the first term rewards reconstructing x from its code z, the second keeps the codes close to "
             "the prior N(0, I) so that decoding prior samples gives data.")
    c.theory("mmd_theory", "With a Gaussian kernel the MMD between two distributions is 0 only when they are equal; "
             "between two finite samples of one distribution the (biased) estimate is still positive, so a second "
             "data sample scored against the held-out data gives the floor no model can be expected to beat.")
    ring = by.get("ring")
    if ring is not None:
        _ring_claims(c, ring, s)
    for i, (name, d) in enumerate(by.items()):
        v = d["vae"]
        rise = v["elbo"] - v["elbo_start"]
        c.check(f"vae_elbo_rises_{name}", rise >= ELBO_GAIN, headline=i == 0,
                numbers={"data": name, "start": v["elbo_start"], "end": v["elbo"], "rise": rise, "min": ELBO_GAIN,
                         "rec": v["reconstruction"], "kl": v["kl"], "steps": s.vae_steps},
                finding="On the {data}, the VAE's held-out ELBO rose from {start:.2f} to {end:.2f} nats per point "
                        "in {steps} steps (reconstruction {rec:.2f}, KL {kl:.2f}).",
                otherwise="On the {data}, the VAE's held-out ELBO rose by only {rise:.2f} nats per point (from "
                          "{start:.2f} to {end:.2f}; at least {min:g} expected) in {steps} steps.")
        c.check(f"vae_latent_used_{name}", v["kl"] > KL_IN_USE,
                numbers={"data": name, "kl": v["kl"], "min": KL_IN_USE},
                finding="On the {data}, the VAE's codes carry information: its KL term is {kl:.2f} nats per point.",
                otherwise="On the {data}, the VAE's KL term is only {kl:.2f} nats per point (at most {min:g}): the "
                          "decoder nearly ignores z (posterior collapse), and its samples are a blur.")
        if name != "ring":
            m = d["mmd_to_data"]
            best = min(MODELS, key=lambda k: _or_inf(m[k]))
            nums = {"data": name, "gmm": m["gmm"], "vae": m["vae"], "gan": m["gan"], "floor": d["mmd_noise_floor"],
                    "best": NAMES[best], "k": s.gmm_components, "scores": _against(m, ("gmm", "vae", "gan"))}
            c.check(f"neural_beats_gmm_{name}", best != "gmm", numbers=nums, cause="",
                    finding="On the {data}, the {best} comes closest to the data: MMD of {scores} (noise floor "
                            "{floor:.3f}).",
                    otherwise="On the {data}, the {k}-component GMM still comes closest to the data: MMD of {scores} "
                              "(noise floor {floor:.3f}).")
    for name in DATASETS:                 # a quick run leaves them to the full run; a chosen subset skips them
        if name not in by and quick:
            c.not_shown(f"models_on_{name}", f"The three models on the {name} ({DATASETS[name]})")
    _gan_claims(c, summary, s)
    return c


def _ring_claims(c: Claims, ring: dict, s: Settings) -> None:
    modes, mmd, near = ring["modes_covered"], ring["mmd_to_data"], ring["near_fraction"]
    floor = ring["mmd_noise_floor"]
    rule = {"radius": s.mode_radius, "count": s.mode_min_count, "n": s.n_test}
    c.check("gmm_covers_all_modes", modes["gmm"] == 8 and modes["data"] == 8, headline=True,
            numbers={"k": modes["gmm"], "data": modes["data"], **rule},
            finding="The Gaussian mixture's samples cover all {k} of the ring's 8 modes, as a second data sample does "
                    "({data}/8; a mode is covered by at least {count} of {n} samples within {radius:g} of its "
                    "centre).",
            otherwise="The Gaussian mixture's samples cover {k} of the ring's 8 modes (a second data sample: {data}; "
                      "a mode is covered by at least {count} of {n} samples within {radius:g} of its centre).")
    others = min(_or_inf(mmd["vae"]), _or_inf(mmd["gan"]))
    c.check("gmm_closest_on_ring", mmd["gmm"] < others, headline=True,
            numbers={"gmm": mmd["gmm"], "vae": mmd["vae"], "gan": mmd["gan"], "floor": floor,
                     "bw": s.mmd_bandwidth, "others": _against(mmd)},
            finding="On the ring, a mixture of 8 Gaussians itself, the GMM's samples are the closest to the data: MMD "
                    "{gmm:.3f} against {others} (noise floor {floor:.3f}; bandwidth {bw:g}).",
            otherwise="On the ring the GMM's samples are not the closest to the data: MMD {gmm:.3f} against "
                      "{others} (noise floor {floor:.3f}; bandwidth {bw:g}).")
    c.check("gmm_near_noise_floor", mmd["gmm"] <= 2 * floor,
            numbers={"gmm": mmd["gmm"], "floor": floor, "ratio": mmd["gmm"] / floor},
            finding="The GMM's MMD on the ring, {gmm:.3f}, is within twice the noise floor {floor:.3f} "
                    "({ratio:.2f} times it).",
            otherwise="The GMM's MMD on the ring, {gmm:.3f}, is {ratio:.2f} times the noise floor {floor:.3f}.")
    c.check("vae_blurs_between_modes", near["gmm"] - near["vae"] >= NEAR_GAP, headline=True,
            numbers={"vae": near["vae"], "gmm": near["gmm"], "gap": NEAR_GAP, "k": modes["vae"],
                     "radius": s.mode_radius},
            finding="The VAE's samples cover {k} of 8 modes but only {vae:.0%} lie within {radius:g} of a centre, "
                    "against {gmm:.0%} of the GMM's: the rest fall between the modes.",
            otherwise="{vae:.0%} of the VAE's samples lie within {radius:g} of a centre, against {gmm:.0%} of the "
                      "GMM's (a gap under {gap:.0%}); it covers {k} of 8 modes.")
    ll = ring["gmm_test_log_likelihood"]
    c.check("vae_elbo_below_gmm_likelihood", ring["vae"]["elbo"] < ll,
            numbers={"elbo": ring["vae"]["elbo"], "ll": ll},
            finding="On held-out ring points the VAE's ELBO, {elbo:.2f} nats per point, lies below the GMM's exact "
                    "log-likelihood {ll:.2f} (the ELBO only bounds the VAE's own log-likelihood from below).",
            otherwise="On held-out ring points the VAE's ELBO, {elbo:.2f} nats per point, is above the GMM's "
                      "log-likelihood {ll:.2f}.")
    gan = ring["gan"]
    snaps = gan.get("snapshot_modes", {})
    last_half = [k for step, k in snaps.items() if int(step) >= s.gan_steps / 2]
    lo, hi = (min(last_half), max(last_half)) if last_half else (modes["gan"], modes["gan"])
    c.check("gan_covers_all_modes", modes["gan"] == 8 and gan["non_finite"] is None,
            numbers={"k": modes["gan"], "lo": lo, "hi": hi, "near": near["gan"], "steps": gan["steps_run"],
                     "radius": s.mode_radius, "fewest": min(ring["mode_counts"]["gan"]), "n": s.n_test,
                     "count": s.mode_min_count, "even": s.n_test // 8,
                     "stopped": gan["non_finite"]["step"] if gan["non_finite"] else None,
                     "trace": ", ".join(f"{k} at step {step}" for step, k in snaps.items())},
            cause="",
            finding="The GAN's final samples cover all 8 modes, {near:.0%} of them within {radius:g} of a centre; over "
                    "training its fixed noise batch covered {trace}.",
            otherwise=("The GAN diverged at step {stopped} (its first non-finite value), so it has no final samples "
                       "to count modes in; before that its fixed noise batch covered {trace}." if gan["non_finite"]
                       else "The GAN's final samples cover only {k} of the 8 modes a second data sample covers: the "
                            "emptiest centre holds {fewest} of its {n} samples (at least {count} count; an even split "
                            "gives {even}). Over training its fixed noise batch covered {trace}."))


def _gan_claims(c: Claims, summary: dict, s: Settings) -> None:
    stopped = {name: d["gan"]["non_finite"] for name, d in summary["by_dataset"].items() if d["gan"]["non_finite"]}
    c.check("gan_training_finite", not stopped, cause="",
            numbers={"steps": s.gan_steps, "where": "; ".join(f"{n}: step {w['step']}, {w['what']} {w['value']}"
                                                               for n, w in stopped.items())},
            finding="Every GAN trained for all {steps} steps with finite losses and samples.",
            otherwise="A GAN diverged and was stopped at its first non-finite value ({where}).")
    boom = summary["gan_explode"]
    w = boom["non_finite"]
    c.check("gan_divergence_caught", w is not None, cause="",
            numbers={"lr": boom["lr"], "steps": boom["steps"], "step": w["step"] if w else 0,
                     "what": w["what"] if w else "", "value": w["value"] if w else ""},
            finding="Trained with plain SGD at learning rate {lr:g}, the GAN diverges: its first non-finite value, "
                    "a {what} of {value}, came at step {step}, and training stopped there.",
            otherwise="Trained with plain SGD at learning rate {lr:g}, the GAN stayed finite for all {steps} steps.")


def report(summary: dict, s: Settings) -> Document:
    doc = Document(TITLE)
    by = summary["by_dataset"]
    doc.paragraph(
        "Three ways to model a distribution in the plane, each fitted to training points and asked for new ones: "
        f"scikit-learn's `GaussianMixture` with {s.gmm_components} full-covariance components (the baseline), "
        f"a variational autoencoder with a 2-D latent and a GAN, both MLPs with two hidden layers of {s.hidden} "
        f"ReLU units trained with Adam on batches of {s.batch}. The data: "
        + "; ".join(f"**{n}**: {DATASETS[n]}" for n in by) + ".")
    doc.paragraph(
        f"Scores. Each model draws {s.n_test} samples, scored against {s.n_test} held-out points. **MMD**: the "
        f"maximum mean discrepancy with the Gaussian kernel exp(-|x - y|^2 / (2 h^2)), bandwidth h = "
        f"{s.mmd_bandwidth:g}, the square root of the biased estimate; a second sample of {s.n_test} data points "
        f"gives the **noise floor**. **Modes covered** (ring only): each sample counts for its nearest centre if it "
        f"lies within {s.mode_radius:g} of it (3 standard deviations of a mode); a mode is covered when it holds at "
        f"least {s.mode_min_count} of the {s.n_test} samples (an even split gives {s.n_test // 8}). The VAE's "
        f"samples include its decoder's noise (x = decoder(z) + std * eps); its KL weight rises from 0 to 1 over the "
        f"first {s.vae_warmup:.0%} of its {s.vae_steps} steps. The GAN (non-saturating loss, {s.gan_steps} steps, "
        f"noise of dimension {s.gan_noise_dim}) is checked after every step and stops at its first non-finite value.")
    doc.heading("Samples over the data")
    doc.claims([i for i in ("gmm_covers_all_modes", "gmm_closest_on_ring", "gmm_near_noise_floor",
                            "vae_blurs_between_modes", "gan_covers_all_modes")
                + tuple(f"neural_beats_gmm_{n}" for n in by)])
    doc.image("generative_samples.png", "samples of every model over the held-out data")
    rows = []
    for name, d in by.items():
        m = d["mmd_to_data"]
        modes = d.get("modes_covered")
        for key in ("data", *MODELS):
            value = d["mmd_noise_floor"] if key == "data" else m[key]
            label = "second data sample" if key == "data" else NAMES[key]
            counted = modes and modes[key] is not None
            rows.append([name, label, _f(value, 4) if _or_inf(value) < float("inf") else "diverged",
                         f"{modes[key]}/8" if counted else "-", f"{d['near_fraction'][key]:.0%}" if counted else "-"])
    doc.table(["data", "samples", f"MMD (h = {s.mmd_bandwidth:g})", "modes covered",
               f"within {s.mode_radius:g} of a centre"], rows)
    doc.image("generative_mmd.png", "MMD per model and data set with the noise floor")
    doc.heading("The VAE: its ELBO and its latent space")
    doc.claims(["elbo_theory", *(f"vae_elbo_rises_{n}" for n in by), *(f"vae_latent_used_{n}" for n in by),
                "vae_elbo_below_gmm_likelihood"])
    doc.table(["data", "ELBO (nats/point)", "reconstruction", "KL", "decoder std", "GMM log-likelihood"],
              [[n, _f(d["vae"]["elbo"]), _f(d["vae"]["reconstruction"]), _f(d["vae"]["kl"]),
                ", ".join(f"{x:.3f}" for x in d["vae"]["decoder_std"]), _f(d["gmm_test_log_likelihood"])]
               for n, d in by.items()])
    doc.image("generative_vae_elbo.png", "the VAE's held-out ELBO and its two terms over training")
    doc.paragraph("The latent grid: lines of constant z1 and constant z2 over [-2.5, 2.5]^2 (99 % of the prior's "
                  "mass), pushed through the decoder's mean. The decoder is a continuous function, so each grid line "
                  "stays one unbroken curve in the plane: to reach two modes it has to cross the gap between them.")
    doc.image("generative_vae_latent.png", "the VAE's latent grid mapped into the plane")
    doc.heading("The GAN over training")
    doc.claims(["gan_training_finite", "gan_divergence_caught"])
    doc.image("generative_gan_training.png", "the GAN's samples at evenly spaced steps")
    doc.heading("How the scores are defined")
    doc.claims(["mmd_theory"])
    if s != FULL:
        doc.paragraph("This run's settings differ from the full run's; the full run (`nnlab generative`) fits all "
                      f"three data sets with {FULL.vae_steps} VAE and {FULL.gan_steps} GAN steps.")
    return doc


def _or_inf(x) -> float:
    """An MMD from summary.json: None (a model that diverged, no samples) counts as infinitely far."""
    return float("inf") if x is None or x != x or x == float("inf") else x


def _against(mmd: dict, models=("vae", "gan")) -> str:
    """"the VAE's 0.148 and the GAN's 0.175"; a model that diverged is named as such, without a number."""
    scored = [f"the {NAMES[m]}'s {mmd[m]:.3f}" for m in models if _or_inf(mmd[m]) < float("inf")]
    failed = [NAMES[m] for m in models if _or_inf(mmd[m]) == float("inf")]
    text = " and ".join([", ".join(scored[:-1]), scored[-1]] if len(scored) > 2 else scored) or "no other model"
    return text + (f" (the {' and the '.join(failed)} diverged: no samples)" if failed else "")


def _f(x, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"
