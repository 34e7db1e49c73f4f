"""The VQ-VAE: its quantiser, its EMA codebook, its decode paths and a short training on digits."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.errors import ConfigError, GenzooError
from genzoo.testing import check_samples_match_spec
from genzoo.training import train

from genzoo_latent_variable.vqvae import VectorQuantizer, perplexity

DIGITS = {"shape": (1, 8, 8), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 17}
TINY = {"channels": 8, "codebook_size": 8, "code_dim": 4}


def tiny(downsample: int = 1, **overrides):
    torch.manual_seed(0)
    return genzoo.create("vqvae", data=DIGITS, downsample=downsample, **(TINY | overrides))


def digits_split(split: str) -> torch.Tensor:
    from genzoo.data import load_dataset

    return load_dataset("digits", split, view="discrete").tensors()[0]


def quantizer(codebook: list[list[float]], threshold: float = 0.0) -> VectorQuantizer:
    q = VectorQuantizer(len(codebook), len(codebook[0]), decay=0.99, dead_code_threshold=threshold)
    q.codebook.copy_(torch.tensor(codebook))
    q.embed_sum.copy_(q.codebook)  # consistent with the unit cluster sizes
    return q


def test_quantizer_picks_the_nearest_code():
    q = quantizer([[0, 0], [1, 0], [0, 1], [5, 5]])
    flat = torch.tensor([[0.9, 0.1], [0.1, 0.2], [4.0, 6.0], [0.2, 0.8], [0.6, 0.0]])
    assert q.nearest(flat).tolist() == [1, 0, 3, 2, 1]


def test_straight_through_gradient_reaches_the_encoder():
    model = tiny()
    out = model(digits_split("test")[:4])
    out.reconstruction.sum().backward()
    first_conv = model.encoder[0].weight.grad
    assert first_conv is not None and first_conv.abs().sum() > 0


def test_ema_moves_a_used_code_towards_its_vectors_and_leaves_unused_codes():
    q = quantizer([[0, 0], [10, 10], [-10, 10]])
    flat = torch.tensor([[1.0, 1.0]]).repeat(100, 1)
    q.update(flat, q.nearest(flat))
    # code 0: (0.99 * 0 + 0.01 * 100 * (1, 1)) / (0.99 + 0.01 * 100) = (1, 1) * 1 / 1.99
    assert torch.allclose(q.codebook[0], torch.tensor([1.0, 1.0]) / 1.99, atol=1e-4)
    assert torch.allclose(q.codebook[1:], torch.tensor([[10.0, 10.0], [-10.0, 10.0]]), atol=1e-4)


def test_a_dead_code_is_restarted_at_an_encoder_output():
    model = tiny()
    model.quantizer.codebook[3] = 1e3  # far from every encoder output: it never wins a vector
    out = model.train()(digits_split("test")[:16])
    z_e = out.z_e.detach().permute(0, 2, 3, 1).reshape(-1, model.config.code_dim)
    assert out.dead_codes >= 1
    assert (z_e == model.quantizer.codebook[3]).all(1).any()


def test_eval_mode_leaves_the_codebook_alone():
    model = tiny().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model(digits_split("test")[:16])
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize("downsample", [1, 2])
def test_encode_decode_embed_shapes_and_paths_agree(downsample):
    model = tiny(downsample).eval()
    x = digits_split("test")[:5]
    side = 8 // 2**downsample
    assert model.latent_shape == (4, side, side)
    with torch.no_grad():
        codes = model.encode(x)
        latents = model.embed(codes)
        assert codes.shape == (5, side, side) and codes.dtype == torch.long
        assert latents.shape == (5, *model.latent_shape)
        assert model.decode(codes).shape == x.shape
        assert torch.equal(model.decode(codes), model.decode_latents(latents))
        assert torch.equal(model.decode(codes), model.decode_latents(latents + 1e-4))  # snapped back to the codes
        assert torch.equal(model.quantize(latents)[1], codes)
        assert torch.equal(model.decode_output(codes, output="mean"), model.decode(codes))
        check_samples_match_spec(model.decode_output(codes), model.data_spec, 5)
    with pytest.raises(GenzooError, match="decode_latents"):
        model.decode(latents)


def test_samples_of_discrete_data_lie_on_its_levels():
    model = tiny(2)
    samples = model.sample(6, generator=torch.Generator().manual_seed(0))
    check_samples_match_spec(samples, model.data_spec, 6)


def test_perplexity_counts_equally_used_codes():
    assert perplexity(torch.tensor([0, 1, 2, 3]), 8).item() == pytest.approx(4.0)
    assert perplexity(torch.tensor([5, 5, 5]), 8).item() == pytest.approx(1.0)


def test_training_on_digits_lowers_the_error_and_reloads(tmp_path):
    config = TINY | {"channels": 16, "codebook_size": 16, "downsample": 1}
    settings = {"steps": 150, "batch_size": 64, "lr": 3e-3, "sample_every": None, "log_every": 50}
    result = train("vqvae", data="digits", out=tmp_path, model=config, train=settings, progress=False)
    test, training = digits_split("test"), digits_split("train")
    torch.manual_seed(0)
    untrained = genzoo.create("vqvae", data=DIGITS | {"kind": "continuous"}, **config).eval()
    trained = genzoo.load(tmp_path)
    with torch.no_grad():
        before = (untrained.decode(untrained.encode(test)) - test).pow(2).mean()
        after = (trained.decode(trained.encode(test)) - test).pow(2).mean()
        codes = trained.encode(training)
    assert after < 0.25 * before
    # the loaded encoder is the one `finish` fitted the sampling prior with
    assert perplexity(codes, 16).item() == pytest.approx(result.metrics["codebook_perplexity"], rel=1e-5)
    assert torch.unique(codes).numel() == result.metrics["codes_used"]
    assert not torch.allclose(trained.code_log_prior, untrained.code_log_prior)


def test_resumed_training_is_exact(tmp_path):
    """Restarts draw from torch's global RNG, which a resume restores: the runs must agree bit for bit."""
    settings = {"batch_size": 8, "sample_every": None, "checkpoint_every": 10}
    # 128 vectors a batch for 64 codes, under a threshold of 2: codes keep being restarted after the resume
    config = TINY | {"codebook_size": 64, "downsample": 1, "dead_code_threshold": 2.0}
    train("vqvae", data="digits", out=tmp_path / "straight", model=config, train=settings | {"steps": 20}, progress=False)
    train("vqvae", data="digits", out=tmp_path / "resumed", model=config, train=settings | {"steps": 10}, progress=False)
    train("vqvae", data="digits", out=tmp_path / "resumed", model=config, train=settings | {"steps": 20}, resume=True,
          progress=False)
    straight, resumed = genzoo.load(tmp_path / "straight").state_dict(), genzoo.load(tmp_path / "resumed").state_dict()
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)


def test_image_size_must_divide_by_the_downsampling():
    with pytest.raises(ConfigError, match="downsample"):
        genzoo.create("vqvae", downsample=3)  # 28x28 cannot be halved three times
