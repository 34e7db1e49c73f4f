"""The unconditional GANs of the family: GAN, DCGAN, WGAN, WGAN-GP, unrolled GAN, PacGAN.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, CommandSpec, MetricSpec, SamplerSpec

FAMILY = "adversarial"
PACKAGE = "genzoo_adversarial"
TINY_MLP = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,)}
GAN_METHODS = ("generate", "generate_from_latent")

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="gan",
        family=FAMILY,
        model=f"{PACKAGE}.gan:GAN",
        capabilities=(Capability.SAMPLE,),
        methods=GAN_METHODS,
        trainers={"gan": f"{PACKAGE}.gan:GANStep"},
        description="GAN with MLPs (2-D toys, MNIST); --set step.generator_objective=minimax for the paper's "
                    "saturating game, non-saturating by default.",
        paper="Goodfellow et al. 2014, arXiv:1406.2661",
        tiny_config=TINY_MLP,
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
COMMANDS: list[CommandSpec] = []
