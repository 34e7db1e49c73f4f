"""Paired image-to-image translation: pix2pix and the edges -> digits datasets it trains on.

The translation metrics it is measured with (`translation-fid`, `class-kept`) are core's. Import
paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec

from genzoo_adversarial.specs import FAMILY, LABEL, MNIST_MISSING, PACKAGE


def _image(side: int, levels: int) -> DataSpec:
    return DataSpec(shape=(1, side, side), value_range=(0.0, 1.0), levels=levels, num_classes=10)


def _edges(side: int) -> DataSpec:
    """An edge map as a paired dataset's source field (the edge-map datasets show it through a view, continuous by
    default: `_image(side, 2)`)."""
    return DataSpec(shape=(1, side, side), kind="binary", value_range=(0.0, 1.0), levels=2)


ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="pix2pix", family=FAMILY, model=f"{PACKAGE}.pix2pix:Pix2Pix", capabilities=(Capability.TRANSLATE,),
        default_sampler=None, methods=(), trainers={"pix2pix": f"{PACKAGE}.pix2pix:Pix2PixStep"},
        description="pix2pix: a U-Net generator (skip connections) against a conditional PatchGAN, trained on "
                    "paired data (fields x and source, e.g. edges2mnist) with the GAN loss + 100 * L1; "
                    "genzoo translate RUN --input mnist-edges:3; --metric translation-fid,class-kept.",
        paper="Isola et al. 2017, arXiv:1611.07004",
        tiny_config={"generator_channels": (4, 8), "discriminator_channels": (4, 8), "data": _image(8, 17)}),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="edges2mnist", target=f"{PACKAGE}.edges:edges2mnist",
                description="Paired MNIST: x = the digit, source = its edge map (the 1-pixel outline a 3x3 dilation "
                            "adds around the ink), label = its class; 60,000 / 10,000.",
                fields={"x": _image(28, 256), "source": _edges(28), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="mnist-edges", target=f"{PACKAGE}.edges:mnist_edges",
                description="The edge maps of edges2mnist alone, labelled: pix2pix's inputs "
                            "(`genzoo translate RUN --input mnist-edges:3`).",
                fields={"x": _image(28, 2), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="edges2digits", target=f"{PACKAGE}.edges:edges2digits",
                description="edges2mnist made from the bundled 8x8 digits (always available; for tests).",
                fields={"x": _image(8, 17), "source": _edges(8), "label": LABEL},
                splits={"train": 1_437, "test": 360}),
    DatasetSpec(name="digits-edges", target=f"{PACKAGE}.edges:digits_edges",
                description="The edge maps of edges2digits alone, labelled.",
                fields={"x": _image(8, 2), "label": LABEL},
                splits={"train": 1_437, "test": 360}),
]
