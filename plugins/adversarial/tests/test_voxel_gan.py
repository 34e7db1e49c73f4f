"""3D-GAN: volumetric DCGAN networks, the adaptive discriminator update (a real skip), a short run, the sampler."""

import pytest
import torch

import genzoo
from genzoo.plugin import Batch
from genzoo.training import train
from genzoo_adversarial.networks import build_discriminator, build_generator, with_label
from genzoo_adversarial.voxel_gan import VoxelGANConfig, VoxelGANStep, discriminator_accuracy, skipped

TINY = {"latent_dim": 4, "channels": (4, 8), "data": {"shape": (1, 8, 8, 8), "kind": "binary",
                                                      "value_range": (0.0, 1.0)}}


def test_volumetric_networks_mirror_dcgans():
    """z -> 8 x 2^3 -> 4 x 4^3 -> 1 x 8^3 by 3-D transposed convolutions; the discriminator halves back down."""
    config = VoxelGANConfig(**TINY)
    generator, discriminator = build_generator(config), build_discriminator(config)
    shapes = [tuple(layer.weight.shape) for layer in generator.modules() if isinstance(layer, torch.nn.ConvTranspose3d)]
    assert shapes == [(4, 8, 2, 2, 2), (8, 4, 4, 4, 4), (4, 1, 4, 4, 4)]
    assert any(isinstance(layer, torch.nn.BatchNorm3d) for layer in discriminator.modules())
    x = generator(torch.randn(3, 4))
    assert x.shape == (3, 1, 8, 8, 8) and discriminator(x).shape == (3, 1)


def test_a_label_becomes_constant_maps_over_a_volume():
    features = torch.zeros(2, 1, 2, 2, 2)
    joined = with_label(features, torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert joined.shape == (2, 3, 2, 2, 2)
    assert torch.equal(joined[0, 2], torch.ones(2, 2, 2)) and torch.equal(joined[1, 2], torch.zeros(2, 2, 2))


def test_discriminator_accuracy_by_hand():
    """Reals with logits (2, -1, 0.5): two right; fakes (-3, 1): one right; 3 of 5."""
    accuracy = discriminator_accuracy(torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 1.0]))
    assert accuracy.item() == pytest.approx(0.6)


def test_a_skipped_loss_logs_its_value_and_reaches_no_weight():
    layer = torch.nn.Linear(2, 1)
    loss = layer(torch.ones(1, 2)).square().sum()
    cut = skipped({"loss": loss, "accuracy": torch.tensor(0.9)})
    assert cut["loss"].item() == pytest.approx(loss.item()) and cut["accuracy"].item() == pytest.approx(0.9)
    cut["loss"].backward()
    assert layer.weight.grad is None and layer.bias.grad is None


def _discriminator_update(step: VoxelGANStep):
    torch.manual_seed(0)
    model = genzoo.create("3d-gan", **TINY)
    optimizer = torch.optim.Adam(model.discriminator.parameters(), lr=0.1)
    before = [p.detach().clone() for p in model.discriminator.parameters()]
    batch = Batch({"x": (torch.rand(8, 1, 8, 8, 8) > 0.8).float()})
    losses = step.loss(model, batch, "discriminator", step.init_state(model))
    optimizer.zero_grad(set_to_none=True)
    losses["loss"].backward()
    optimizer.step()
    moved = any(not torch.equal(a, b) for a, b in zip(before, model.discriminator.parameters(), strict=True))
    return losses, moved


def test_the_discriminator_is_not_updated_while_it_is_too_accurate():
    """Threshold 0.01: any batch accuracy above it skips the update and Adam leaves every weight as it was; with
    the adaptive update off the same batch moves them."""
    losses, moved = _discriminator_update(VoxelGANStep(adaptive_accuracy=0.01))
    assert losses["skipped"].item() == 1 and losses["accuracy"].item() > 0.01 and not moved
    losses, moved = _discriminator_update(VoxelGANStep(adaptive_accuracy=None))
    assert losses["skipped"].item() == 0 and moved


def test_the_paper_learning_rates_are_the_defaults_and_bad_thresholds_are_refused():
    assert VoxelGANStep.group_defaults["generator"]["lr"] == 2.5e-3
    assert VoxelGANStep.group_defaults["discriminator"]["lr"] == 1e-5
    with pytest.raises(ValueError, match="less than or equal to 1"):
        VoxelGANStep(adaptive_accuracy=1.5)


def test_a_short_run_on_tiny_voxels_logs_the_skips_and_samples_binary_volumes(tmp_path):
    result = train("3d-gan", data="voxel-shapes-tiny", out=tmp_path, model=TINY,
                   train={"steps": 4, "batch_size": 16, "log_every": 2, "sample_every": None}, progress=False)
    assert {"discriminator/accuracy", "discriminator/skipped", "generator/loss"} <= set(result.metrics)
    model = genzoo.load(result.path)
    samples = model.sample(5, generator=torch.Generator().manual_seed(0), sampler="truncation", truncation=0.5)
    assert samples.shape == (5, 1, 8, 8, 8) and set(samples.unique().tolist()) <= {0.0, 1.0}


def test_volumes_of_another_shape_are_refused():
    with pytest.raises(ValueError, match="divide by"):
        VoxelGANConfig(data={"shape": (1, 6, 6, 6), "kind": "binary", "value_range": (0.0, 1.0)})
