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
