"""The three generative models of the lab, each fitted to 2-D training points and able to draw samples:
scikit-learn's GaussianMixture (the baseline), a VAE with a 2-D latent and a GAN, both small torch MLPs trained
with Adam. The GAN stops at the first non-finite loss or sample and says where."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["fit_gmm", "VAERun", "train_vae", "GANRun", "train_gan", "mlp"]

LOG_2PI = math.log(2 * math.pi)


def fit_gmm(X: np.ndarray, components: int, seed: int):
    """scikit-learn's GaussianMixture with full covariances, k-means initialisation, 3 restarts."""
    from sklearn.mixture import GaussianMixture
    return GaussianMixture(components, covariance_type="full", n_init=3, random_state=seed).fit(X)


def gmm_sample(gmm, n: int, seed: int) -> np.ndarray:
    """n samples of a fitted mixture, from its own generator (``GaussianMixture.sample`` reuses random_state)."""
    rng = np.random.default_rng(seed)
    which = rng.choice(len(gmm.weights_), size=n, p=gmm.weights_ / gmm.weights_.sum())
    chol = np.linalg.cholesky(gmm.covariances_)
    eps = rng.standard_normal((n, X_DIM))
    return gmm.means_[which] + np.einsum("nij,nj->ni", chol[which], eps)


X_DIM = 2


def mlp(sizes: list[int]):
    """Linear layers with ReLU between them (none after the last)."""
    from torch import nn
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


# -- the VAE -------------------------------------------------------------------------------------------------------

@dataclass
class VAERun:
    """A trained VAE: encoder (x -> mu, log var of q(z|x)), decoder (z -> mean of p(x|z)) and the decoder's
    log std per coordinate (one learned number each: p(x|z) = N(decoder(z), diag(exp(2 log_std)))).
    ``steps``, ``elbo``, ``reconstruction`` and ``kl`` are the training curves (nats per point, on the held-out
    points every ``eval_every`` steps); ``final`` the same three numbers at the end."""
    encoder: object
    decoder: object
    log_std: object
    steps: list[int] = field(default_factory=list)
    elbo: list[float] = field(default_factory=list)
    reconstruction: list[float] = field(default_factory=list)
    kl: list[float] = field(default_factory=list)

    def terms(self, X: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
        """(ELBO, E_q[log p(x|z)], KL(q(z|x) || N(0, I))) per point on X, one z per point."""
        import torch
        with torch.no_grad():
            g = torch.Generator().manual_seed(seed)
            rec, kl = _vae_terms(self, torch.as_tensor(X, dtype=torch.float32), g)
        return float(rec - kl), float(rec), float(kl)

    def sample(self, n: int, seed: int) -> np.ndarray:
        """x = decoder(z) + std * eps with z, eps ~ N(0, I): samples of the model, decoder noise included."""
        import torch
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            z = torch.randn(n, 2, generator=g)
            eps = torch.randn(n, X_DIM, generator=g)
            return (self.decoder(z) + self.log_std.exp() * eps).double().numpy()

    def decode(self, z: np.ndarray) -> np.ndarray:
        """The decoder's mean for latent points z, shape (n, 2)."""
        import torch
        with torch.no_grad():
            return self.decoder(torch.as_tensor(z, dtype=torch.float32)).double().numpy()

    def encode(self, X: np.ndarray) -> np.ndarray:
        """The encoder's mean of q(z|x)."""
        import torch
        with torch.no_grad():
            return self.encoder(torch.as_tensor(X, dtype=torch.float32))[:, :2].double().numpy()


def _vae_terms(run: VAERun, x, generator):
    """Mean over the batch of E_q[log p(x|z)] (one reparameterised z per point) and of KL(q(z|x) || N(0, I))."""
    import torch
    h = run.encoder(x)
    mu, log_var = h[:, :2], h[:, 2:].clamp(-12.0, 8.0)
    z = mu + (0.5 * log_var).exp() * torch.randn(mu.shape, generator=generator)
    mean = run.decoder(z)
    log_std = run.log_std
    rec = (-0.5 * ((x - mean) / log_std.exp()) ** 2 - log_std - 0.5 * LOG_2PI).sum(1).mean()
    kl = (0.5 * (mu ** 2 + log_var.exp() - 1.0 - log_var)).sum(1).mean()
    return rec, kl


def train_vae(X: np.ndarray, X_test: np.ndarray, *, hidden: int, steps: int, lr: float, batch: int, seed: int,
              warmup: float = 0.0, eval_every: int = 50) -> VAERun:
    """Adam on the negative ELBO, minibatches drawn with replacement; the ELBO and its two terms on X_test every
    ``eval_every`` steps (and at step 0). ``warmup``: the KL term's weight rises linearly from 0 to 1 over this
    share of the steps (KL annealing, against a decoder that learns to ignore z early on); the ELBO measured
    always weighs it 1."""
    import torch
    torch.manual_seed(seed)
    run = VAERun(mlp([X_DIM, hidden, hidden, 4]), mlp([2, hidden, hidden, X_DIM]),
                 torch.nn.Parameter(torch.zeros(X_DIM)))
    params = [*run.encoder.parameters(), *run.decoder.parameters(), run.log_std]
    opt = torch.optim.Adam(params, lr=lr)
    g = torch.Generator().manual_seed(seed)
    x_all = torch.as_tensor(X, dtype=torch.float32)

    def evaluate(step):
        elbo, rec, kl = run.terms(X_test, seed=seed + 7)
        run.steps.append(step)
        run.elbo.append(elbo)
        run.reconstruction.append(rec)
        run.kl.append(kl)

    evaluate(0)
    for step in range(1, steps + 1):
        x = x_all[torch.randint(len(x_all), (batch,), generator=g)]
        rec, kl = _vae_terms(run, x, g)
        beta = min(1.0, step / (warmup * steps)) if warmup > 0 else 1.0
        loss = beta * kl - rec
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            evaluate(step)
    return run


# -- the GAN -------------------------------------------------------------------------------------------------------

@dataclass
class GANRun:
    """A trained (or stopped) GAN. ``non_finite`` is None, or where training stopped: {"step", "what", "value"}
    for the first non-finite discriminator loss, generator loss or generated sample. ``snapshots`` holds
    (step, samples) drawn from one fixed noise batch at evenly spaced steps; ``d_loss`` and ``g_loss`` the losses
    per step (their means over ``loss_every`` steps)."""
    generator: object
    discriminator: object
    noise_dim: int
    lr: float
    steps_run: int = 0
    non_finite: dict | None = None
    snapshots: list = field(default_factory=list)
    loss_steps: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)

    def sample(self, n: int, seed: int) -> np.ndarray:
        import torch
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            return self.generator(torch.randn(n, self.noise_dim, generator=g)).double().numpy()


def _non_finite_word(t) -> str:
    import torch
    return "nan" if bool(torch.isnan(t).any()) else "inf"


def train_gan(X: np.ndarray, *, hidden: int, noise_dim: int, steps: int, lr: float, batch: int, seed: int,
              snapshots: int = 6, snapshot_size: int = 1000, loss_every: int = 50, optimizer: str = "adam") -> GANRun:
    """The non-saturating GAN: the discriminator D (logits) minimises BCE(D(x), 1) + BCE(D(G(z)), 0), then the
    generator minimises BCE(D(G(z)), 1); one step each per iteration, Adam (betas 0.5, 0.999) for both (or plain
    SGD: ``optimizer="sgd"``). After
    every step the two losses and the generated batch are checked: the first non-finite value stops training and
    is recorded."""
    import torch
    import torch.nn.functional as F
    torch.manual_seed(seed)
    run = GANRun(mlp([noise_dim, hidden, hidden, X_DIM]), mlp([X_DIM, hidden, hidden, 1]), noise_dim, lr)
    if optimizer == "sgd":
        opt_g = torch.optim.SGD(run.generator.parameters(), lr=lr)
        opt_d = torch.optim.SGD(run.discriminator.parameters(), lr=lr)
    else:
        opt_g = torch.optim.Adam(run.generator.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(run.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    g = torch.Generator().manual_seed(seed)
    fixed = torch.randn(snapshot_size, noise_dim, generator=torch.Generator().manual_seed(seed + 3))
    x_all = torch.as_tensor(X, dtype=torch.float32)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    at = sorted({round(i * steps / (snapshots - 1)) for i in range(snapshots)})
    d_sum = g_sum = 0.0

    def snap(step):
        with torch.no_grad():
            run.snapshots.append((step, run.generator(fixed).double().numpy()))

    if 0 in at:
        snap(0)
    for step in range(1, steps + 1):
        x = x_all[torch.randint(len(x_all), (batch,), generator=g)]
        fake = run.generator(torch.randn(batch, noise_dim, generator=g))
        d_loss = (F.binary_cross_entropy_with_logits(run.discriminator(x), ones)
                  + F.binary_cross_entropy_with_logits(run.discriminator(fake.detach()), zeros))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.binary_cross_entropy_with_logits(run.discriminator(fake), ones)
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        run.steps_run = step
        for what, value in (("generated sample", fake), ("discriminator loss", d_loss), ("generator loss", g_loss)):
            if not bool(torch.isfinite(value).all()):
                run.non_finite = {"step": step, "what": what, "value": _non_finite_word(value)}
                return run
        d_sum += d_loss.item()
        g_sum += g_loss.item()
        if step % loss_every == 0:
            run.loss_steps.append(step)
            run.d_loss.append(d_sum / loss_every)
            run.g_loss.append(g_sum / loss_every)
            d_sum = g_sum = 0.0
        if step in at:
            snap(step)
    return run
