"""Stacked MNIST: the `stacked-mnist` dataset (1,000 modes) and the `stacked-modes` metric that counts them.

Import paths only (no torch), so `genzoo list` and `genzoo datasets` stay fast.
"""

from genzoo import DatasetSpec, DataSpec, MetricSpec

from genzoo_adversarial.specs import PACKAGE

DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="stacked-mnist", target=f"{PACKAGE}.stacked_mnist:stacked_mnist",
                description="Three MNIST digits of a split as RGB channels (label 100*R + 10*G + B, 1,000 modes), "
                            "triples drawn by triples_seed; 60,000/10,000 by default (size=N for more).",
                fields={"x": DataSpec(shape=(3, 28, 28), levels=256, num_classes=1000),
                        "label": DataSpec.for_labels(1000)},
                splits={"train": 60_000, "test": 10_000},
                missing=f"{PACKAGE}.stacked_mnist_availability:missing"),
]
METRICS: list[MetricSpec] = [
    MetricSpec(name="stacked-modes", target=f"{PACKAGE}.stacked_modes:stacked_modes_metric",
               description="Stacked MNIST modes reached by n=26,000 samples (each channel read by classifier-mnist) "
                           "and KL(samples || uniform); --real stacked-mnist gives the real-data reference."),
]
