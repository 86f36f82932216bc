import json

import numpy as np
import pytest

from labcheck import check_lab_outputs, run_lab
from nnlab._validation import InvalidArgument
from nnlab.labs.generative import QUICK, Settings
from nnlab.labs.generative.data import make_data, make_ring, ring_centres
from nnlab.labs.generative.metrics import mmd, mode_counts, modes_covered, near_fraction

# -- data and scores ----------------------------------------------------------------------------------------------

def test_the_data_are_seeded_and_the_ring_has_eight_centres_at_radius_two():
    for name in ("ring", "spiral", "moons"):
        a, b = make_data(name, 300, seed=4), make_data(name, 300, seed=4)
        assert a.shape == (300, 2) and np.array_equal(a, b)
        assert not np.array_equal(a, make_data(name, 300, seed=5))
        assert np.abs(a).max() < 3.0                      # every data set fits the plots' [-2.8, 2.8]^2 or close
    C = ring_centres()
    assert C.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(C, axis=1), 2.0)
    X = make_ring(8000, seed=0)
    counts = mode_counts(X, C, radius=0.3)
    assert counts.sum() > 0.98 * len(X) and counts.min() > 900           # equal weights, std 0.1


def test_modes_covered_counts_nearest_centres_within_the_radius_and_the_minimum():
    C = ring_centres()
    x = np.concatenate([np.repeat(C[:3], 30, axis=0),               # 3 modes with 30 samples each
                        np.repeat(C[3:4], 5, axis=0),               # one with too few
                        np.zeros((40, 2)),                           # the centre of the ring: near no mode
                        C[4:5] + [[0.35, 0.0]],                      # just outside the radius
                        [[np.nan, 0.0]]])
    assert mode_counts(x, C, 0.3).tolist() == [30, 30, 30, 5, 0, 0, 0, 0]
    assert modes_covered(x, C, 0.3, 20) == 3 and modes_covered(x, C, 0.3, 5) == 4
    assert near_fraction(x, C, 0.3) == pytest.approx(95 / len(x))


def test_mmd_is_the_biased_gaussian_kernel_estimate():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 2)), rng.normal(1.0, 1.0, size=(5, 2))
    h = 0.7
    k = lambda a, b: np.mean([[np.exp(-np.sum((p - q) ** 2) / (2 * h * h)) for q in b] for p in a])
    assert mmd(x, y, h) == pytest.approx(np.sqrt(k(x, x) + k(y, y) - 2 * k(x, y)), rel=1e-12)
    assert mmd(x, y, h) == pytest.approx(mmd(y, x, h), rel=1e-12)
    assert mmd(x, x, h) < 1e-7
    assert mmd(np.array([[np.nan, 0.0]]), y, h) == float("inf")
    # two samples of one distribution score far below a shifted one
    a, b = make_ring(1000, seed=1), make_ring(1000, seed=2)
    assert mmd(a, b, 0.2) < 0.5 * mmd(a, b + [0.3, 0.0], 0.2)


# -- the models ---------------------------------------------------------------------------------------------------

def test_the_vae_kl_term_is_the_closed_form_gaussian_kl():
    import torch

    from nnlab.labs.generative import models as M
    torch.manual_seed(0)
    run = M.VAERun(M.mlp([2, 8, 4]), M.mlp([2, 8, 2]), torch.nn.Parameter(torch.full((2,), -0.5)))
    x = torch.randn(16, 2)
    torch.set_grad_enabled(False)
    try:
        _check_terms(M, run, x)
    finally:
        torch.set_grad_enabled(True)


def _check_terms(M, run, x):
    import torch
    rec, kl = M._vae_terms(run, x, torch.Generator().manual_seed(0))
    h = run.encoder(x)
    q = torch.distributions.Normal(h[:, :2], (0.5 * h[:, 2:]).exp())
    p = torch.distributions.Normal(torch.zeros(2), torch.ones(2))
    assert float(kl) == pytest.approx(float(torch.distributions.kl_divergence(q, p).sum(1).mean()), rel=1e-5)
    # the reconstruction term is log N(x; decoder(z), std^2) of the same reparameterised z
    g = torch.Generator().manual_seed(0)
    z = h[:, :2] + (0.5 * h[:, 2:]).exp() * torch.randn(16, 2, generator=g)
    ll = torch.distributions.Normal(run.decoder(z), run.log_std.exp()).log_prob(x).sum(1).mean()
    assert float(rec) == pytest.approx(float(ll), rel=1e-5)


def test_a_diverging_gan_stops_at_its_first_non_finite_value():
    from nnlab.labs.generative.models import train_gan
    X = make_data("ring", 500, seed=0)
    run = train_gan(X, hidden=16, noise_dim=2, steps=40, lr=100.0, batch=64, seed=0, snapshots=2, snapshot_size=8,
                    optimizer="sgd")
    w = run.non_finite
    assert w is not None and w["step"] == run.steps_run < 40
    assert w["what"] in ("generated sample", "discriminator loss", "generator loss") and w["value"] in ("nan", "inf")
    healthy = train_gan(X, hidden=16, noise_dim=2, steps=40, lr=1e-3, batch=64, seed=0, snapshots=3, snapshot_size=8)
    assert healthy.non_finite is None and healthy.steps_run == 40
    assert [step for step, _ in healthy.snapshots] == [0, 20, 40]


# -- the lab ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("generative_quick")
    run_lab(out, "generative", "--quick")
    return out


def test_quick_run_writes_the_page_and_its_headlines_hold(quick_run):
    claims = check_lab_outputs(quick_run, "generative")
    headlines = {c["id"] for c in claims if c["headline"]}
    assert headlines == {"gmm_covers_all_modes", "gmm_closest_on_ring", "vae_blurs_between_modes",
                         "vae_elbo_rises_ring"}
    by_id = {c["id"]: c for c in claims}
    assert by_id["gan_divergence_caught"]["holds"]              # the demonstration diverges and is caught
    assert by_id["elbo_theory"]["kind"] == by_id["mmd_theory"]["kind"] == "theory"
    assert not by_id["models_on_spiral"]["shown"] and not by_id["models_on_moons"]["shown"]


def test_quick_summary_has_the_issue_keys_and_the_page_shows_its_numbers(quick_run):
    summary = json.loads((quick_run / "summary.json").read_text())
    assert set(summary["modes_covered"]) == set(summary["mmd_to_data"]) == {"gmm", "vae", "gan"}
    assert all(isinstance(k, int) and 0 <= k <= 8 for k in summary["modes_covered"].values())
    assert summary["modes_covered_heldout"] == 8
    assert isinstance(summary["vae_elbo"], float) and summary["vae_elbo"] < 0
    floor = summary["mmd_noise_floor"]
    assert 0 < floor < min(summary["mmd_to_data"].values())
    assert summary["gan_explode"]["non_finite"]["step"] == summary["gan_explode"]["steps_run"]
    assert len(summary["files"]) == 5
    for name in summary["files"]:
        assert (quick_run / name).stat().st_size > 10_000
    page = (quick_run / "report.md").read_text()
    assert f"{summary['mmd_to_data']['gmm']:.4f}" in page and f"{floor:.4f}" in page
    assert f"{summary['vae_elbo']:.2f}" in page


def test_a_run_where_the_gan_drops_modes_or_diverges_says_so(quick_run):
    from nnlab.labs.generative.report import make_claims
    summary = json.loads((quick_run / "summary.json").read_text())
    ring = summary["by_dataset"]["ring"]
    ring["modes_covered"]["gan"] = 3
    ring["mode_counts"]["gan"] = [300, 0, 0, 290, 2, 0, 310, 0]
    summary["gan_explode"]["non_finite"] = None
    claims = make_claims(summary, QUICK, quick=True)
    modes = claims["gan_covers_all_modes"]
    assert not modes.holds and "cover only 3 of the 8 modes" in modes.text and "holds 0 of its 1000" in modes.text
    assert not claims["gan_divergence_caught"].holds and "stayed finite" in claims["gan_divergence_caught"].text
    # a GAN that diverged has no samples: no mode count and no MMD, and the page says why
    ring["gan"]["non_finite"] = {"step": 17, "what": "generator loss", "value": "nan"}
    ring["modes_covered"]["gan"] = None
    ring["mmd_to_data"]["gan"] = None
    claims = make_claims(summary, QUICK, quick=True)
    assert "diverged at step 17" in claims["gan_covers_all_modes"].text
    assert "the GAN diverged: no samples" in claims["gmm_closest_on_ring"].text
    finite = claims["gan_training_finite"]
    assert not finite.holds and "ring: step 17, generator loss nan" in finite.text


@pytest.mark.parametrize("args, start", [(["--dataset", "rings"], "Error: --dataset must be one of"),
                                         (["--dataset", ","], "Error: --dataset"),
                                         (["--vae-steps", "0"], "Error: --vae-steps must be an integer >= 1"),
                                         (["--gan-lr", "-1"], "Error: --gan-lr must be")])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, start):
    from nnlab.cli import main
    assert main(["generative", "--quick", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(start) and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "summary.json").exists()


def test_settings_check_their_values():
    with pytest.raises(InvalidArgument, match="dataset"):
        Settings(datasets=("ring", "swiss-roll"))
    with pytest.raises(InvalidArgument, match="dataset"):
        Settings(datasets=())
    with pytest.raises(InvalidArgument, match="vae_warmup"):
        Settings(vae_warmup=1.0)
