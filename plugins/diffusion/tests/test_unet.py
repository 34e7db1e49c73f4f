"""The UNet denoiser under bfloat16 autocast: its first and last convolutions stay in float32."""

import genzoo
import torch
from genzoo_diffusion.unet import full_precision


def _unet():
    torch.manual_seed(0)
    model = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config).eval()
    torch.nn.init.normal_(model.denoiser.head[-1].weight, std=0.05)
    return model.denoiser


def test_full_precision_runs_a_module_in_its_own_dtype_under_autocast():
    conv = torch.nn.Conv2d(1, 4, 3, padding=1)
    x = torch.randn(2, 1, 6, 6) * 0.01 + 1  # a near-clean input: bfloat16 rounds its noise to about one step
    reference = conv(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        rounded = conv(x)
        exact = full_precision(conv, x)
        lifted = full_precision(conv, x.bfloat16())  # an input cast down by an earlier op is taken back up
    assert rounded.dtype == torch.bfloat16 and not torch.allclose(rounded.float(), reference, atol=1e-3)
    assert torch.equal(exact, reference) and lifted.dtype == torch.float32
    held_in_bfloat16 = conv.to(torch.bfloat16)  # a model loaded in bfloat16 keeps computing in it
    assert full_precision(held_in_bfloat16, x).dtype == torch.bfloat16


def test_stem_and_head_run_in_float32_under_autocast_and_the_blocks_between_in_bfloat16():
    """The residual stream after the stem goes back to bfloat16: in float32 every block would read and add float32
    activations, which cost eager sampling a quarter of its speed."""
    unet = _unet()
    dtypes = {}

    def record(name, module):
        module.register_forward_hook(lambda module, args, out: dtypes.update({name: (args[0].dtype, out.dtype)}))

    record("stem", unet.stem)
    record("head", unet.head)
    record("first block", unet.down[0].blocks[0])
    x, t = torch.rand(2, 1, 8, 8) * 2 - 1, torch.tensor([0, 500])
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = unet(x, t)
    assert dtypes["stem"][1] == torch.float32 and dtypes["head"][1] == torch.float32
    assert dtypes["first block"] == (torch.bfloat16, torch.bfloat16)
    assert out.dtype == torch.float32


def _tiny_ddpm(**overrides):
    torch.manual_seed(0)
    config = {**genzoo.get_registry().architecture("ddpm").tiny_config, **overrides}
    return genzoo.create("ddpm", **config).eval().denoiser


def test_a_new_mean_head_leaves_the_output_as_it_was_and_old_checkpoints_have_no_tensor_for_it():
    plain, with_head = _tiny_ddpm(), _tiny_ddpm(mean_path=True)
    torch.nn.init.normal_(plain.head[-1].weight, std=0.05)
    with_head.head[-1].weight.data.copy_(plain.head[-1].weight)
    x, t = torch.rand(2, 1, 8, 8) * 2 - 1, torch.tensor([0, 500])
    with torch.no_grad():
        assert torch.equal(with_head(x, t), plain(x, t))
    assert not any("mean_head" in name for name in plain.state_dict())
    assert sum("mean_head" in name for name in with_head.state_dict()) == 4


def test_the_mean_head_adds_a_constant_per_channel_computed_from_the_last_features_spatial_mean():
    unet = _tiny_ddpm(mean_path=True, patch_size=2)  # one constant per position in the 2x2 patch
    torch.nn.init.normal_(unet.mean_head.mlp[-1].weight, std=0.5)
    features = []
    unet.head.register_forward_hook(lambda module, args, out: features.append((args[0], out)))
    x, t = torch.rand(2, 1, 8, 8) * 2 - 1, torch.tensor([3, 700])
    with torch.no_grad():
        out = unet(x, t)
        h, head_out = features[0]
        first, last = unet.mean_head.mlp[0], unet.mean_head.mlp[2]
        by_hand = last(torch.nn.functional.silu(first(h.mean((2, 3)))))  # (n, 4) for the 2x2 patches
    added = torch.nn.functional.pixel_unshuffle(out, 2) - head_out
    torch.testing.assert_close(added, by_hand[:, :, None, None].expand_as(added))
    assert by_hand.abs().min() > 0


def test_the_mean_head_runs_in_float32_under_autocast():
    unet = _tiny_ddpm(mean_path=True)
    dtypes = []
    unet.mean_head.register_forward_hook(lambda module, args, out: dtypes.append((args[0].dtype, out.dtype)))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        unet(torch.rand(2, 1, 8, 8) * 2 - 1, torch.tensor([0, 500]))
    assert dtypes == [(torch.float32, torch.float32)]
