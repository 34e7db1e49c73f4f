"""IcGAN (cGAN inversion by encoders) with Age-cGAN-style latent refinement: the architecture, its class-swap and
reconstruction metrics and `genzoo icgan-edit`.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, CommandSpec, MetricSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE

DIGITS = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="icgan", family=FAMILY, model=f"{PACKAGE}.icgan:ICGAN",
        capabilities=(Capability.SAMPLE, Capability.CONDITIONAL, Capability.TRANSLATE),
        methods=("generate", "generate_from_latent"),
        trainers={"encoders": f"{PACKAGE}.icgan_training:EncoderStep"},
        description="IcGAN: a frozen cGAN generator (copied from model.cgan, default cgan-mnist) with encoders "
                    "E_z (x -> z, L2 on generated pairs) and E_y (x -> class, cross-entropy on real digits) that "
                    "invert it, so a real digit is re-rendered as another class: G(E_z(x), y'). Age-cGAN-style "
                    "editing refines z by Adam on |G(z, E_y(x)) - x|^2 first (model.refine_steps). The paper's "
                    "task was editing face attributes (CelebA); here MNIST digits change class. "
                    "genzoo icgan-edit RUN --input mnist:0 -o grid.png; translate edits to model.translate_to "
                    "(default: the next class); --metric class-swap, icgan-reconstruction.",
        paper="Perarnau et al. 2016, arXiv:1611.06355; Antipov et al. 2017, arXiv:1702.01983",
        tiny_config={"data": DIGITS, "source": DIGITS, "cgan": None, "latent_dim": 4, "channels": (4, 8),
                     "refine_steps": 2},
    ),
]
METRICS: list[MetricSpec] = [
    MetricSpec(
        name="class-swap",
        target=f"{PACKAGE}.icgan_metrics:class_swap_metric",
        description="IcGAN: share of edits G(E_z(x), y') that the dataset's classifier labels y', over n real test "
                    "images x and every class y' other than x's; with E_z alone and after model.refine_steps "
                    "Age-cGAN refinement steps (class-swap-refined).",
    ),
    MetricSpec(
        name="icgan-reconstruction",
        target=f"{PACKAGE}.icgan_metrics:reconstruction_metric",
        description="IcGAN: mean squared error per pixel of G(E_z(x), E_y(x)) against x on n real test images, with "
                    "E_z alone and after model.refine_steps refinement steps; and E_y's test accuracy.",
    ),
]
COMMANDS: list[CommandSpec] = [
    CommandSpec(name="icgan-edit", target=f"{PACKAGE}.icgan_command:icgan_edit_command",
                description="IcGAN edit grid: each input, its reconstruction, then the input re-rendered as every "
                            "class."),
]
