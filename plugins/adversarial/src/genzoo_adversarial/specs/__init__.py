"""What each group of the family registers: `ARCHITECTURES`, `SAMPLERS`, `METRICS`, `DATASETS` and `COMMANDS` lists
of specs, one module per group (plugin.py gathers every module here).

These modules import only genzoo's spec classes (never torch or model code), so listing stays fast. The names
below are what several groups share, defined once.
"""

from genzoo import DataSpec

FAMILY = "adversarial"
PACKAGE = "genzoo_adversarial"
# Says why an MNIST-derived dataset cannot be built here: exactly when MNIST's own files are missing.
MNIST_MISSING = f"{PACKAGE}.stacked_mnist_availability:missing"
MNIST_DIGIT = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)
DIGIT_8X8 = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10)  # the bundled digits
LABEL = DataSpec.for_labels(10)
