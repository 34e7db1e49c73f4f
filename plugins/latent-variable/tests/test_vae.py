"""VAE-type models and their objectives: bounds ordered as theory says, training moves them, options validated."""

import math

import pytest
import torch

import genzoo
from genzoo.errors import ConfigError
from genzoo.training import Batch
from genzoo_latent_variable.objectives import BetaELBOStep, ELBOStep

TINY = {"hidden": (16,), "latent_dim": 3, "mixture_components": 2}


def _binary(n=32, seed=0):
    return torch.bernoulli(torch.full((n, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


def test_iwae_bound_tightens_with_k_and_k1_matches_the_elbo():
    torch.manual_seed(0)
    model = genzoo.create("vae", **TINY).eval()
    x = _binary()
    with torch.no_grad():
        elbo = model.log_prob(x, generator=torch.Generator().manual_seed(1)).mean()
        single = torch.stack([model.log_weights(x, 1, generator=torch.Generator().manual_seed(s))[0] for s in range(200)])
        iwae_10 = model.log_prob(x, k=10, generator=torch.Generator().manual_seed(2)).mean()
        iwae_500 = model.log_prob(x, k=500, chunk=64, generator=torch.Generator().manual_seed(3)).mean()
    assert abs(single.mean() - elbo) < 0.01 * abs(elbo)  # E[log w] is the ELBO (analytic KL only lowers variance)
    assert elbo < iwae_10 < iwae_500


def test_log_prob_rejects_k_below_one():
    with pytest.raises(ConfigError, match="at least 1"):
        genzoo.create("vae", **TINY).log_prob(_binary(2), k=0)


def test_kl_warmup_and_beta():
    step = ELBOStep(beta=2.0, kl_warmup_steps=100)
    assert step.kl_weight(0) == pytest.approx(0.02) and step.kl_weight(49) == pytest.approx(1.0)
    assert step.kl_weight(500) == 2.0
    assert BetaELBOStep().beta == 4.0


def test_iwae_training_refuses_a_kl_weight():
    with pytest.raises(ValueError, match="IWAE"):
        ELBOStep(k=5, beta=4.0)


def test_losses_are_finite_and_iwae_loss_is_the_negative_bound():
    torch.manual_seed(0)
    model = genzoo.create("vae", **TINY)
    batch = Batch(_binary(), None, step=3)
    elbo = ELBOStep().loss(model, batch, "model", {})
    assert torch.isfinite(elbo["loss"]) and torch.allclose(elbo["loss"], elbo["recon"] + elbo["kl"])
    iwae = ELBOStep(k=4).loss(model, batch, "model", {})
    assert torch.allclose(iwae["loss"], -iwae["iwae"])


def test_training_fits_the_mixture_and_improves_the_bound(vae_digits):
    model = genzoo.load(vae_digits)
    untrained = genzoo.create("vae", data=model.data_spec, **model.config.hyperparameters())
    x, _ = genzoo_digits_test(model)
    with torch.no_grad():
        assert model.log_prob(x).mean() > untrained.log_prob(x).mean() + 5
    assert not torch.equal(model.latent_mixture.means, torch.zeros_like(model.latent_mixture.means))


def test_conditional_vae_decodes_by_label(cvae_digits):
    model = genzoo.load(cvae_digits)
    z = torch.zeros(2, model.latent_dim)
    with torch.no_grad():
        images = model.decode(z, condition=torch.tensor([0, 1]))
    assert not torch.allclose(images[0], images[1])
    with pytest.raises(genzoo.GenzooError, match="conditional"):
        model.decode(z)


def test_beta_vae_keeps_less_information_than_beta_half(tmp_path, train_tiny):
    kl = {}
    for beta in (0.5, 8.0):
        out = train_tiny("vae", tmp_path / str(beta), step={"beta": beta}, steps=120)
        records = [line for line in (out / "train" / "metrics.jsonl").read_text().splitlines() if '"kl"' in line]
        kl[beta] = float(records[-1].split('"kl": ')[1].split(",")[0])
    assert kl[8.0] < kl[0.5]


def test_the_autoencoder_samples_from_its_fitted_mixture(tmp_path, train_tiny):
    model = genzoo.load(train_tiny("ae", tmp_path / "ae"))
    assert model.spec.default_sampler == "latent-gmm"
    samples = model.sample(5, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (5, 1, 8, 8) and set(samples.unique().tolist()) <= {0.0, 1.0}
    assert not math.isclose(float(model.latent_mixture.scale_tril[0, 0, 0]), 1.0)


def genzoo_digits_test(model):
    from genzoo.data import load_dataset

    return load_dataset("digits", "test", view="binarized").tensors()
