"""MGAN: a mixture of generators against mode collapse (import paths only, no torch)."""

from genzoo import ArchitectureSpec, Capability

from genzoo_adversarial.specs import FAMILY, PACKAGE
from genzoo_adversarial.specs.unconditional import GAN_METHODS, TINY_MLP

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="mgan", family=FAMILY, model=f"{PACKAGE}.mgan:MGAN", capabilities=(Capability.SAMPLE,),
        methods=GAN_METHODS, trainers={"mgan": f"{PACKAGE}.mgan:MGANStep"},
        description="K MLP generators sharing all but their first layer (model.generators), each sample from one "
                    "drawn uniformly; a classifier sharing the discriminator's body names the generator, and "
                    "step.beta weights its cross-entropy in the generators' loss (the diversity term).",
        paper="Hoang et al. 2018, MGAN: Training Generative Adversarial Nets with Multiple Generators, ICLR",
        tiny_config=TINY_MLP | {"generators": 3},
    ),
]
