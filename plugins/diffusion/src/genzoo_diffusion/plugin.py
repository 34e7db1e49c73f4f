"""The genzoo entry point of the diffusion family: what it contributes, by import path.

Nothing here imports torch, so `genzoo list` stays fast; each path is imported on first use.
"""

from pathlib import Path

from genzoo import ArchitectureSpec, Capability, PretrainedSpec, SamplerSpec, hookimpl

genzoo_hook_api = 2

CATALOG = Path(__file__).with_name("pretrained.json")  # sha256 pins, written by scripts/publish_pretrained.py

FAMILY = "diffusion"
PACKAGE = "genzoo_diffusion"
TRAINER = f"{PACKAGE}.training:DenoisingStep"
HO_2020 = "Ho et al. 2020, arXiv:2006.11239"
TINY_UNET = {"timesteps": 20, "channels": (8, 16), "patch_size": 1,
             "data": {"shape": (1, 8, 8), "kind": "discrete", "value_range": (0, 1), "levels": 17, "num_classes": 10}}

# What every sampler of the family calls on a DiffusionModel.
DENOISER_METHODS = ("predict", "initial_noise", "from_diffusion_space")

@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [
        ArchitectureSpec(
            name="ddpm",
            family=FAMILY,
            model=f"{PACKAGE}.ddpm:PixelDDPM",
            capabilities=(Capability.SAMPLE, Capability.LOG_PROB_BOUND),
            default_sampler="ddpm",
            methods=DENOISER_METHODS,
            trainers={"denoising": TRAINER},
            description="DDPM on images with a compact UNet (time embedding, residual blocks, low-res attention); "
                        "epsilon/x0/v prediction, linear or cosine schedule.",
            paper=HO_2020,
            tiny_config=TINY_UNET,
        ),
        ArchitectureSpec(
            name="ddpm-cond",
            family=FAMILY,
            model=f"{PACKAGE}.ddpm:ConditionalPixelDDPM",
            capabilities=(Capability.SAMPLE, Capability.CONDITIONAL, Capability.LOG_PROB_BOUND),
            default_sampler="ddim",
            methods=DENOISER_METHODS,
            trainers={"denoising": TRAINER},
            description="Class-conditional DDPM with classifier-free guidance (label dropout in training, "
                        "--set guidance_scale=W at sampling).",
            paper=f"{HO_2020}; Ho & Salimans 2022, arXiv:2207.12598",
            tiny_config=TINY_UNET,
        ),
        ArchitectureSpec(
            name="ldm",
            family=FAMILY,
            model=f"{PACKAGE}.latent:LatentDiffusion",
            capabilities=(Capability.SAMPLE,),
            default_sampler="ddim",
            methods=DENOISER_METHODS,
            trainers={"denoising": TRAINER},
            description="Latent diffusion: the UNet DDPM over the latents of a registered autoencoder "
                        "(--set model.autoencoder=kl-autoencoder-mnist or vqvae-mnist), decoded by it.",
            paper="Rombach et al. 2022, arXiv:2112.10752",
            tiny_config={"timesteps": 20, "channels": (8,), "blocks_per_level": 1},
        ),
        ArchitectureSpec(
            name="ldm-cond",
            family=FAMILY,
            model=f"{PACKAGE}.latent:ConditionalLatentDiffusion",
            capabilities=(Capability.SAMPLE, Capability.CONDITIONAL),
            default_sampler="ddim",
            methods=DENOISER_METHODS,
            trainers={"denoising": TRAINER},
            description="Class-conditional latent diffusion with classifier-free guidance (label dropout in "
                        "training, --set guidance_scale=W at sampling) over a registered autoencoder's latents.",
            paper="Rombach et al. 2022, arXiv:2112.10752; Ho & Salimans 2022, arXiv:2207.12598",
            tiny_config={"timesteps": 20, "channels": (8,), "blocks_per_level": 1},
        ),
        ArchitectureSpec(
            name="ddpm-mlp",
            family=FAMILY,
            model=f"{PACKAGE}.toy:VectorDDPM",
            capabilities=(Capability.SAMPLE, Capability.LOG_PROB_BOUND),
            default_sampler="ddpm",
            methods=DENOISER_METHODS,
            trainers={"denoising": TRAINER},
            description="DDPM on 2D points (or flat vectors) with a residual MLP denoiser; log_prob is the "
                        "variational bound in nats.",
            paper=HO_2020,
            tiny_config={"timesteps": 20, "hidden": 16, "layers": 1},
        ),
    ]


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    needs = {"requires": (Capability.SAMPLE,), "methods": DENOISER_METHODS, "tiny_options": {"progress": False}}
    return [
        SamplerSpec(name="ddpm", target=f"{PACKAGE}.samplers:DDPMSampler", **needs,
                    description="Ancestral sampling over all T steps (Ho et al. Algorithm 2)."),
        SamplerSpec(name="ddim", target=f"{PACKAGE}.samplers:DDIMSampler", **needs,
                    description="DDIM on --steps evenly spaced timesteps; --set eta=0 (deterministic) to 1."),
        SamplerSpec(name="dpm-solver", target=f"{PACKAGE}.samplers:DPMSolverSampler", **needs,
                    description="DPM-Solver++(2M), a second-order multistep solver (Lu et al. 2022); good at 10-25 steps."),
        SamplerSpec(name="unipc", target=f"{PACKAGE}.unipc:UniPCSampler", **needs,
                    description="UniPC (Zhao et al. 2023): DPM-Solver++(2M) plus a corrector that reuses each new "
                                "network call; --steps, default 20."),
    ]


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)
