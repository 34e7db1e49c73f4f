"""3D-GAN on procedural voxel shapes: the architecture, the `voxel-shapes` datasets and the `shape-acc` metric.

Import paths only (no torch), so `genzoo list` and `genzoo datasets` stay fast.
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, MetricSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE
from genzoo_adversarial.specs.unconditional import GAN_METHODS

CLASSES = ("sphere", "box", "torus")


def _voxels(side: int) -> dict[str, DataSpec]:
    return {"x": DataSpec(shape=(1, side, side, side), kind="binary", value_range=(0.0, 1.0), num_classes=3,
                          class_names=CLASSES),
            "label": DataSpec.for_labels(3, CLASSES)}


ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="3d-gan", family=FAMILY, model=f"{PACKAGE}.voxel_gan:VoxelGAN", capabilities=(Capability.SAMPLE,),
        methods=GAN_METHODS, trainers={"adaptive": f"{PACKAGE}.voxel_gan:VoxelGANStep"},
        description="3D-GAN: a 3-D transposed-conv generator (z 200 -> 4^3 -> 8^3 -> 16^3, batch norm + ReLU, "
                    "sigmoid output) against a 3-D conv discriminator (LeakyReLU, batch norm); the discriminator "
                    "update is skipped while its batch accuracy is above step.adaptive_accuracy (0.8). The paper "
                    "generated 64^3 ShapeNet objects (chairs, cars, ...); ours makes 16^3 spheres, boxes and tori "
                    "(voxel-shapes), read by the shape-acc metric.",
        paper="Wu et al. 2016, Learning a Probabilistic Latent Space of Object Shapes via 3D Generative-Adversarial "
              "Modeling, NeurIPS, arXiv:1610.07584",
        tiny_config={"latent_dim": 4, "channels": (4, 8),
                     "data": {"shape": (1, 8, 8, 8), "kind": "binary", "value_range": (0.0, 1.0)}},
    ),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="voxel-shapes", target=f"{PACKAGE}.voxel_shapes:voxel_shapes",
                description="16^3 binary occupancy grids of spheres, boxes and tori with random size, position and "
                            "orientation (label = class), generated from the example index and seed; n=N resizes.",
                fields=_voxels(16), splits={"train": 10_000, "test": 2_000}),
    DatasetSpec(name="voxel-shapes-tiny", target=f"{PACKAGE}.voxel_shapes:voxel_shapes_tiny",
                description="voxel-shapes on an 8^3 grid, 256 / 64 examples: for tests.",
                fields=_voxels(8), splits={"train": 256, "test": 64}),
]
METRICS: list[MetricSpec] = [
    MetricSpec(name="shape-acc", target=f"{PACKAGE}.shape_accuracy:shape_accuracy_metric",
               description="Voxel samples fitted by an ideal sphere, box and torus (IoU search over centre, sizes, "
                           "orientation): share recognisable (best IoU >= 0.8), class histogram, mean best IoU, and "
                           "the same on n real test shapes (default n=500)."),
]
