"""SRGAN and its paired super-resolution datasets (MNIST 7x7 -> 28x28, digits 4x4 -> 8x8).

Import paths only (no torch), so `genzoo list` and `genzoo datasets` stay fast.
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec

from genzoo_adversarial.specs import DIGIT_8X8, FAMILY, LABEL, MNIST_DIGIT, MNIST_MISSING, PACKAGE


def _low(shape: tuple[int, int, int], num_classes: int | None = None) -> DataSpec:
    return DataSpec(shape=shape, value_range=(0.0, 1.0), num_classes=num_classes)


ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="srgan", family=FAMILY, model=f"{PACKAGE}.srgan:SRGAN", capabilities=(Capability.TRANSLATE,),
        default_sampler=None,
        trainers={"srgan": f"{PACKAGE}.srgan_training:SRGANStep", "pixel": f"{PACKAGE}.srgan_training:PixelStep"},
        description="SRGAN super-resolution: residual generator with pixel shuffle (7x7 -> 28x28 on mnist-sr), "
                    "trained on L1 + classifier-feature perceptual + adversarial losses; --trainer pixel trains the "
                    "same generator with L1 alone (the SRResNet baseline). "
                    "genzoo translate RUN --input mnist-lowres:3.",
        paper="Ledig et al. 2017, arXiv:1609.04802",
        tiny_config={"data": DIGIT_8X8.model_dump(), "source": _low((1, 4, 4)).model_dump(), "channels": 4,
                     "residual_blocks": 1, "discriminator_channels": (4,), "discriminator_hidden": 8},
    ),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="mnist-sr", target=f"{PACKAGE}.superresolution_data:mnist_sr",
                description="MNIST pairs for super-resolution: x 28x28, source x area-averaged to 7x7 (factor=4; "
                            "factor=2 gives 14x14), label. Needs MNIST.",
                fields={"x": MNIST_DIGIT, "source": _low((1, 7, 7)), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="mnist-lowres", target=f"{PACKAGE}.superresolution_data:mnist_lowres",
                description="mnist-sr's 7x7 source images alone (x) with labels: inputs for genzoo translate.",
                fields={"x": _low((1, 7, 7), 10), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="digits-sr", target=f"{PACKAGE}.superresolution_data:digits_sr",
                description="The 8x8 digits as super-resolution pairs: x 8x8, source area-averaged to 4x4, label.",
                fields={"x": DIGIT_8X8, "source": _low((1, 4, 4)), "label": LABEL},
                splits={"train": 1_437, "test": 360}),
    DatasetSpec(name="digits-lowres", target=f"{PACKAGE}.superresolution_data:digits_lowres",
                description="digits-sr's 4x4 source images alone (x) with labels.",
                fields={"x": _low((1, 4, 4), 10), "label": LABEL}, splits={"train": 1_437, "test": 360}),
]
