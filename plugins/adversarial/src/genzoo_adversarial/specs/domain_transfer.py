"""DTN (domain transfer network) and its unpaired digits -> MNIST data and `f-constancy` metric.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, MetricSpec

from genzoo_adversarial.specs import DIGIT_8X8, FAMILY, LABEL, MNIST_DIGIT, MNIST_MISSING, PACKAGE

FRAMED = DataSpec(shape=(1, 24, 24), levels=17, num_classes=10)
TINY = {"data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17},
        "source": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10},
        "encoder_weights": None, "encoder_channels": (4, 8), "encoder_hidden": 8, "target_margin": 0,
        "channels": (4, 8)}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="dtn", family=FAMILY, model=f"{PACKAGE}.dtn:DTN", capabilities=(Capability.TRANSLATE,),
        default_sampler=None, methods=(), trainers={"dtn": f"{PACKAGE}.dtn_training:DTNStep"},
        description="DTN (domain transfer network): G = g o f, f a frozen pretrained project classifier "
                    "(classifier-digits by default), g a deconv decoder of its features, a 3-way discriminator "
                    "(from source, from target, real), f-constancy, target-identity and TV losses. The paper's "
                    "task was SVHN -> MNIST and faces -> emoji; ours is the 8x8 digits -> MNIST style "
                    "(--data digits2mnist). genzoo translate RUN --input digits:3; --metric f-constancy.",
        paper="Taigman et al. 2017, arXiv:1611.02200", tiny_config=TINY),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="digits2mnist", target=f"{PACKAGE}.domain_transfer_data:digits2mnist",
                description="Unpaired: stream target = MNIST, stream input = the 8x8 digits (labels for "
                            "measuring only). DTN's task.",
                fields={"target": MNIST_DIGIT, "target_label": LABEL, "input": DIGIT_8X8, "input_label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="digits-all2mnist", target=f"{PACKAGE}.domain_transfer_data:digits_all2mnist",
                description="digits2mnist with all 1,797 digits (train + test) as its input stream in either "
                            "split: for measuring at n >= 1,000 inputs, training inputs included.",
                fields={"target": MNIST_DIGIT, "target_label": LABEL, "input": DIGIT_8X8, "input_label": LABEL},
                splits={"train": 60_000, "test": 10_000}, missing=MNIST_MISSING),
    DatasetSpec(name="digits2framed", target=f"{PACKAGE}.domain_transfer_data:digits2framed",
                description="digits2mnist in small, no MNIST (tests): input = even-indexed 8x8 digits, target = "
                            "odd-indexed ones enlarged 2x into a 24x24 frame.",
                fields={"target": FRAMED, "target_label": LABEL, "input": DIGIT_8X8, "input_label": LABEL},
                splits={"train": 719, "test": 180}),
]
METRICS: list[MetricSpec] = [
    MetricSpec(name="f-constancy", target=f"{PACKAGE}.f_constancy:f_constancy_metric",
               description="DTN: mean (f(x) - f(G(x)))^2 over n test source images, and relative to the "
                           "inputs' feature variance."),
]
