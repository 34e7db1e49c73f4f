"""Unpaired image-to-image translation: CycleGAN (with DiscoGAN as its `discogan` trainer), the thin <-> thick
digit datasets it trains on and the `cycle-error` metric.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, CommandSpec, DatasetSpec, MetricSpec

from genzoo_adversarial.specs import DIGIT_8X8, FAMILY, LABEL, MNIST_DIGIT, MNIST_MISSING, PACKAGE

TINY = {"width": 4, "blocks": 1, "downsamplings": 1, "discriminator_channels": (4, 8),
        "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17}}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="cyclegan", family=FAMILY, model=f"{PACKAGE}.cyclegan:CycleGAN", capabilities=(Capability.TRANSLATE,),
        default_sampler=None, methods=(),
        trainers={"cyclegan": f"{PACKAGE}.cyclegan_training:CycleGANStep",
                  "discogan": f"{PACKAGE}.cyclegan_training:DiscoGANStep"},
        description="CycleGAN: two ResNet-block generators (A->B, B->A) and two PatchGANs trained on unpaired "
                    "streams a, b with least-squares, cycle (L1) and identity losses and an image pool; --trainer "
                    "discogan trains DiscoGAN's variant (log-loss game, squared-error reconstruction, no identity, "
                    "no pool). translate follows model.direction (a_to_b | b_to_a); --metric cycle-error.",
        paper="Zhu et al. 2017, arXiv:1703.10593; DiscoGAN: Kim et al. 2017, arXiv:1703.05192",
        tiny_config=TINY),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="mnist-thin-thick", target=f"{PACKAGE}.thick_digits:mnist_thin_thick",
                description="Unpaired MNIST: stream a = even-indexed digits as they are, stream b = odd-indexed digits "
                            "thickened by a 3x3 grey dilation (radius=r); 30,000 / 5,000 per stream, no digit in both.",
                fields={"a": MNIST_DIGIT, "a_label": LABEL, "b": MNIST_DIGIT, "b_label": LABEL},
                splits={"train": 30_000, "test": 5_000}, missing=MNIST_MISSING),
    DatasetSpec(name="mnist-thick", target=f"{PACKAGE}.thick_digits:mnist_thick",
                description="Every MNIST digit thickened by a 3x3 grey dilation (radius=r): domain b of "
                            "mnist-thin-thick, labelled, for `genzoo translate --input mnist-thick:3`.",
                fields={"x": MNIST_DIGIT, "label": LABEL}, splits={"train": 60_000, "test": 10_000},
                missing=MNIST_MISSING),
    DatasetSpec(name="digits-thin-thick", target=f"{PACKAGE}.thick_digits:digits_thin_thick",
                description="mnist-thin-thick made from the bundled 8x8 digits (always available; for tests).",
                fields={"a": DIGIT_8X8, "a_label": LABEL, "b": DIGIT_8X8, "b_label": LABEL},
                splits={"train": 719, "test": 180}),
]
METRICS: list[MetricSpec] = [
    MetricSpec(name="cycle-error", draws_samples=False, target=f"{PACKAGE}.cycle_error:cycle_error_metric",
               description="Two-way translators: mean |G_ba(G_ab(a)) - a| and |G_ab(G_ba(b)) - b| per pixel over n "
                           "test images of streams a and b."),
]
COMMANDS: list[CommandSpec] = [
    CommandSpec(name="cyclegan-direction", target=f"{PACKAGE}.cyclegan_direction_command:cyclegan_direction_command",
                description="Save a CycleGAN checkpoint with translate running a_to_b or b_to_a (same weights)."),
]
