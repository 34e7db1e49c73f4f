"""The diffusers side of benchmarks/ddim_throughput.py: DDIM sampling with diffusers' UNet2DModel + DDIMScheduler.

Runs in its own venv with diffusers installed (see ddim_throughput.py), never genzoo's, and imports
no genzoo. The UNets are built to be genzoo's layer for layer (same parameter count):
- "anchor": genzoo.create("ddpm", channels=(32, 64, 64), blocks_per_level=1, attention_levels=(2,),
  patch_size=1) on 1x28x28;
- "published": genzoo.create("ddpm") (channels (32, 64), attention at level 1, patch_size 2), which
  is a UNet on the 4x14x14 space-to-depth image: pixel_unshuffle before and pixel_shuffle after
  every network call, as genzoo's UNet does inside its forward.
Shared settings, each matching genzoo's UNet: time embedding 4x the base width (sinusoidal, cos
first, then Linear-SiLU-Linear), one resnet block per level down and two up, attention heads of 32
channels, GroupNorm with 8 groups and eps 1e-6, strided-conv downsampling, nearest-upsample-conv
upsampling, a resnet-attention-resnet mid block.

The chain is the standard diffusers loop: DDIMScheduler (1000-step linear betas 1e-4..0.02, epsilon
prediction, x_0 clipped to [-1, 1]), `set_timesteps(steps)`, then per timestep
`unet(x, t).sample` and `scheduler.step(..., eta=0)`, under torch.inference_mode.
`use_clipped_model_output=True` recomputes eps from the clipped x_0, as genzoo's sampler does (one
elementwise op per step). Timing covers one call of `sample` (noise draw included) after a short
warm-up call at the same batch size; model construction and imports are left out.

Prints one JSON line: {"samples_per_s", "samples", "seconds", "params", "torch", "diffusers", "threads"}.
"""

from __future__ import annotations

import argparse
import json
import time

import diffusers
import torch
import torch.nn.functional as F
from diffusers import DDIMScheduler, UNet2DModel
from sides import synchronize

COMMON = {"layers_per_block": 1, "norm_num_groups": 8, "norm_eps": 1e-6, "attention_head_dim": 32,
          "time_embedding_type": "positional", "flip_sin_to_cos": True, "freq_shift": 0,
          "mid_block_type": "UNetMidBlock2D"}
CONFIGS = {  # name: (UNet2DModel arguments, space-to-depth factor around it)
    "anchor": ({"sample_size": 28, "in_channels": 1, "out_channels": 1, "block_out_channels": (32, 64, 64),
                "down_block_types": ("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
                "up_block_types": ("AttnUpBlock2D", "UpBlock2D", "UpBlock2D")}, 1),
    "published": ({"sample_size": 14, "in_channels": 4, "out_channels": 4, "block_out_channels": (32, 64),
                   "down_block_types": ("DownBlock2D", "AttnDownBlock2D"),
                   "up_block_types": ("AttnUpBlock2D", "UpBlock2D")}, 2),
}
WARMUP_STEPS = 3  # every kernel and shape of the chain, once, before the clock starts


def build(config: str) -> tuple[UNet2DModel, int]:
    arguments, patch = CONFIGS[config]
    return UNet2DModel(**arguments, **COMMON).eval(), patch


@torch.inference_mode()
def sample(unet: UNet2DModel, scheduler: DDIMScheduler, n: int, steps: int, patch: int,
           generator: torch.Generator, bfloat16: bool = False) -> torch.Tensor:
    scheduler.set_timesteps(steps)
    x = torch.randn((n, 1, 28, 28), generator=generator, device=generator.device)
    for t in scheduler.timesteps:
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bfloat16):
            eps = unet(F.pixel_unshuffle(x, patch) if patch > 1 else x, t).sample.float()
        eps = F.pixel_shuffle(eps, patch) if patch > 1 else eps
        x = scheduler.step(eps, t, x, eta=0.0, use_clipped_model_output=True).prev_sample
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: the UNet under torch.autocast, as genzoo's precision=bfloat16 option.")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cuda.")
    parser.add_argument("--params-only", action="store_true", help="Print the parameter count and exit.")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # the random weights
    device = torch.device(args.device)
    unet, patch = build(args.config)
    unet.to(device)
    params = sum(p.numel() for p in unet.parameters())
    if args.params_only:
        print(json.dumps({"params": params}))
        return
    scheduler = DDIMScheduler(num_train_timesteps=1000, beta_schedule="linear", beta_start=1e-4, beta_end=0.02,
                              clip_sample=True, prediction_type="epsilon")
    generator = torch.Generator(device).manual_seed(args.seed)
    bfloat16 = args.precision == "bfloat16"
    sample(unet, scheduler, args.batch_size, min(WARMUP_STEPS, args.steps), patch, generator, bfloat16)
    synchronize(device)
    start = time.perf_counter()
    x = sample(unet, scheduler, args.batch_size, args.steps, patch, generator, bfloat16)
    synchronize(device)
    seconds = time.perf_counter() - start
    if not torch.isfinite(x).all():
        raise SystemExit("diffusers worker: the samples are not finite")
    print(json.dumps({"samples_per_s": args.batch_size / seconds, "samples": args.batch_size, "seconds": seconds,
                      "params": params, "torch": torch.__version__, "diffusers": diffusers.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
