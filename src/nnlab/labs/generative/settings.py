"""What the generative lab runs: the data sets, the models and how the samples are scored."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab._validation import check_choice, check_fraction, check_int, check_positive, check_seed

__all__ = ["Settings", "QUICK", "FULL", "DATASETS"]

# name -> one line on what it is (the generators live in nnlab.labs.generative.data)
DATASETS = {
    "ring": "8 Gaussians (std 0.1) at radius 2, equal weights",
    "spiral": "nnlab's playground spiral (two arms, jitter 0.25), scaled by 0.4 into about [-2, 2]",
    "moons": "nnlab's two moons (Gaussian noise 0.08), centred on the origin",
}


@dataclass(frozen=True)
class Settings:
    datasets: tuple[str, ...] = ("ring", "spiral", "moons")
    n_train: int = 2000                 # training points per data set
    n_test: int = 1000                  # held-out points (scores) and the size of every sample scored
    # -- scoring
    mode_radius: float = 0.3            # a sample near a ring centre: within 3 std of it
    mode_min_count: int = 20            # a mode is covered when at least this many of the n_test samples are near it
    mmd_bandwidth: float = 0.2          # Gaussian kernel exp(-|x - y|^2 / (2 bandwidth^2))
    # -- models
    gmm_components: int = 8
    hidden: int = 64                    # width of the two hidden layers of every VAE and GAN net
    batch: int = 256
    vae_steps: int = 3000
    vae_lr: float = 3e-3
    vae_warmup: float = 0.3             # the KL weight rises from 0 to 1 over this share of the VAE's steps
    gan_steps: int = 3000
    gan_lr: float = 1e-3
    gan_noise_dim: int = 2
    snapshots: int = 6                  # GAN samples drawn at this many points of training
    explode_lr: float = 100.0          # plain SGD at this learning rate: the GAN diverges (the demonstration)
    explode_steps: int = 50
    seed: int = 0

    def __post_init__(self):
        if not self.datasets:
            check_choice("dataset", "", DATASETS, "generative")          # raises: names the choices
        for name in self.datasets:
            check_choice("dataset", name, DATASETS, "generative")
        for name in ("n_test", "gmm_components", "hidden", "batch", "vae_steps", "gan_steps", "gan_noise_dim",
                     "explode_steps"):
            check_int(name, getattr(self, name), "generative")
        check_int("n_train", self.n_train, "generative", minimum=max(self.gmm_components, 2))
        check_int("mode_min_count", self.mode_min_count, "generative")
        check_int("snapshots", self.snapshots, "generative", minimum=2)
        for name in ("mode_radius", "mmd_bandwidth", "vae_lr", "gan_lr", "explode_lr"):
            check_positive(name, getattr(self, name), "generative")
        check_seed("seed", self.seed, "generative")
        check_fraction("vae_warmup", self.vae_warmup, "generative")


FULL = Settings(vae_steps=4000, gan_steps=4000)
QUICK = Settings(datasets=("ring",), vae_steps=1200, gan_steps=1500)
