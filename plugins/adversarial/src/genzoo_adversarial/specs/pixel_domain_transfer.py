"""PixelDTGAN and the cluttered-scene -> clean-digit datasets it trains on (cluttered_scenes.py).

The translation metrics it is measured with (`translation-fid`, `class-kept`) are core's. Import
paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec

from genzoo_adversarial.specs import DIGIT_8X8, FAMILY, LABEL, MNIST_DIGIT, MNIST_MISSING, PACKAGE


def _scene(side: int, num_classes: int | None = None) -> DataSpec:
    return DataSpec(shape=(1, side, side), value_range=(0.0, 1.0), num_classes=num_classes)


ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="pixeldtgan", family=FAMILY, model=f"{PACKAGE}.pixeldtgan:PixelDTGAN",
        capabilities=(Capability.TRANSLATE,), default_sampler=None, methods=(),
        trainers={"pixeldtgan": f"{PACKAGE}.pixeldtgan_training:PixelDTGANStep"},
        description="PixelDTGAN pixel-level domain transfer: an encoder-decoder converter against a real/fake "
                    "discriminator and a domain discriminator that accepts only associated (source, target) pairs "
                    "(not unassociated real pairs, not converted ones); no pixel loss (step.l1_weight adds L1 as an "
                    "ablation). The paper: a dressed person's photo -> the worn garment's product photo (64x64 "
                    "LookBook); here a 40x40 cluttered scene holding an MNIST digit -> the clean centred 28x28 "
                    "digit (mnist-scenes). genzoo translate RUN --input mnist-cluttered:3; "
                    "--metric translation-fid,class-kept.",
        paper="Yoo et al. 2016, arXiv:1603.07442",
        tiny_config={"data": DIGIT_8X8.model_dump(), "source": _scene(12).model_dump(), "source_channels": (4, 8),
                     "target_channels": (4, 8), "code_dim": 4, "domain_hidden": 4}),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="mnist-scenes", target=f"{PACKAGE}.cluttered_scenes:mnist_scenes",
                description="Paired MNIST: x = the digit, source = a 40x40 scene holding it at a random position, "
                            "scale and contrast among distractor strokes and noise (drawn from scene_seed and the "
                            "index alone), label = its class; 60,000 / 10,000. PixelDTGAN's person -> garment task.",
                fields={"x": MNIST_DIGIT, "source": _scene(40), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="mnist-cluttered", target=f"{PACKAGE}.cluttered_scenes:mnist_cluttered",
                description="mnist-scenes' 40x40 scenes alone, labelled: pixeldtgan's inputs "
                            "(`genzoo translate RUN --input mnist-cluttered:3`).",
                fields={"x": _scene(40, 10), "label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="digits-scenes", target=f"{PACKAGE}.cluttered_scenes:digits_scenes",
                description="mnist-scenes made from the bundled 8x8 digits in 12x12 scenes (always available; tests).",
                fields={"x": DIGIT_8X8, "source": _scene(12), "label": LABEL},
                splits={"train": 1_437, "test": 360}),
    DatasetSpec(name="digits-cluttered", target=f"{PACKAGE}.cluttered_scenes:digits_cluttered",
                description="digits-scenes' 12x12 scenes alone, labelled.",
                fields={"x": _scene(12, 10), "label": LABEL}, splits={"train": 1_437, "test": 360}),
]
