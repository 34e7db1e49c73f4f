"""The unconditional GANs of the family: GAN, DCGAN, WGAN, WGAN-GP, unrolled GAN, PacGAN, and the truncation sampler.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, SamplerSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE

TINY_MLP = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,)}
TINY_CONV = {"latent_dim": 4, "channels": (4, 8), "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0)}}
# What the family's samplers may call on a GAN (the truncation sampler also reads `latent_dim`).
GAN_METHODS = ("generate", "generate_from_latent")
GAN_STEP = f"{PACKAGE}.gan:GANStep"
WGAN_TRAINERS = {"clip": f"{PACKAGE}.wgan:ClippedWGANStep", "gp": f"{PACKAGE}.wgan:GradientPenaltyStep"}
SPECTRAL_NORM = "--set model.spectral_norm=true normalises the discriminator spectrally (SNGAN)."


def _gan(name: str, model: str, trainers: dict[str, str], description: str, paper: str,
         tiny_config: dict) -> ArchitectureSpec:
    return ArchitectureSpec(name=name, family=FAMILY, model=f"{PACKAGE}.{model}", capabilities=(Capability.SAMPLE,),
                            methods=GAN_METHODS, trainers=trainers, description=description, paper=paper,
                            tiny_config=tiny_config)


ARCHITECTURES: list[ArchitectureSpec] = [
    _gan("gan", "gan:GAN", {"gan": GAN_STEP},
         "GAN with MLPs (2-D toys, MNIST); non-saturating generator loss, --set step.generator_objective=minimax "
         "for the paper's saturating game. " + SPECTRAL_NORM,
         "Goodfellow et al. 2014, arXiv:1406.2661", TINY_MLP),
    _gan("dcgan", "dcgan:DCGAN", {"gan": GAN_STEP},
         "All-convolutional GAN (batch norm, ReLU generator, LeakyReLU discriminator, Adam 2e-4 / 0.5) for 28x28 "
         "images; --set model.pack=2 gives PacDCGAN2; samples with the truncation sampler too.",
         "Radford et al. 2016, arXiv:1511.06434", TINY_CONV),
    _gan("wgan", "wgan:WGAN", WGAN_TRAINERS,
         "Wasserstein GAN: critic weights clipped to [-clip, clip] after each of n_critic updates (--trainer gp: "
         "gradient penalty). " + SPECTRAL_NORM,
         "Arjovsky et al. 2017, arXiv:1701.07875", TINY_MLP),
    _gan("wgan-gp", "wgan:WGANGP", {"gp": WGAN_TRAINERS["gp"], "clip": WGAN_TRAINERS["clip"]},
         "WGAN with the gradient penalty (interpolation weight per example, lambda=10, n_critic=5); no batch "
         "norm in the critic.",
         "Gulrajani et al. 2017, arXiv:1704.00028", TINY_MLP),
    _gan("unrolled-gan", "unrolled:UnrolledGAN", {"unrolled": f"{PACKAGE}.unrolled:UnrolledGANStep"},
         "GAN whose generator loss looks k differentiable discriminator steps ahead (step.unroll_steps, "
         "step.unroll_lr).",
         "Metz et al. 2017, arXiv:1611.02163", TINY_MLP),
    _gan("pacgan", "pacgan:PacGAN", {"gan": GAN_STEP},
         "GAN whose discriminator sees `pack` samples together (PacGAN4 by default); batches must divide by pack.",
         "Lin et al. 2018, arXiv:1712.04086", TINY_MLP | {"pack": 2}),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="truncation",
        target=f"{PACKAGE}.samplers:TruncationSampler",
        requires=(Capability.SAMPLE,),
        methods=("generate_from_latent",),
        description="The truncation trick: latents restricted to [-t, t] per coordinate (--set truncation=0.5, "
                    "method=resample|clamp), decoded by the generator.",
    ),
]
