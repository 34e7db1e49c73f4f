"""Core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path

from genzoo.capabilities import Capability
from genzoo.dataspec import DataSpec
from genzoo.hookspecs import hookimpl
from genzoo.specs import ArchitectureSpec, DatasetSpec, MetricSpec, PretrainedSpec, SamplerSpec

genzoo_hook_api = 2


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return [
        SamplerSpec(
            name="ancestral",
            target="genzoo.sampling:AncestralSampler",
            requires=(Capability.SAMPLE,),
            methods=("generate",),
            description="The model's own generative procedure (prior then decoder, autoregressive order, ...).",
        )
    ]


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [
        ArchitectureSpec(
            name="classifier",
            family="evaluation",
            model="genzoo.metrics.classifier:Classifier",
            capabilities=(),
            default_sampler=None,
            description="Small CNN classifier; its penultimate features drive FID/KID and cond-acc.",
            tiny_config={"channels": (2, 4), "hidden": 8},
        )
    ]


# The feature classifiers in registry/, pinned by sha256 (scripts/train_classifier.py prints the pins;
# `genzoo publish` pins their hub and tag), kept as data like a family's catalog.
CATALOG = Path(__file__).with_name("pretrained.json")


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)


# name -> (factory in genzoo.data.toy2d, description)
TOYS = {
    "8gaussians": ("eight_gaussians", "Ring of 8 Gaussians (radius 4/1.414, std 0.5/1.414); exact density."),
    "25gaussians": ("twentyfive_gaussians", "5x5 grid of Gaussians (spacing 2/2.828, std 0.05/2.828); exact density."),
    "moons": ("moons", "Two interleaved half circles with Gaussian noise."),
    "swissroll": ("swissroll", "2D swiss roll with Gaussian noise."),
    "checkerboard": ("checkerboard", "Uniform on 8 squares of a 4x4 board; exact density (-ln 32 nats)."),
    "2spirals": ("two_spirals", "Two interleaved spirals with Gaussian noise."),
    "rings": ("rings", "Four concentric noisy rings."),
}


def _digit_images(size: int, levels: int) -> dict[str, DataSpec]:
    """The fields of a 10-class grey-image dataset in its default (continuous) view."""
    return {"x": DataSpec(shape=(1, size, size), levels=levels, num_classes=10), "label": DataSpec.for_labels(10)}


@hookimpl
def genzoo_datasets() -> list[DatasetSpec]:
    toy_fields = {"x": DataSpec(shape=(2,), value_range=None)}
    toys = [DatasetSpec(name=name, target=f"genzoo.data.toy2d:{factory}", description=description,
                        fields=toy_fields, splits={"train": 50_000, "test": 10_000})
            for name, (factory, description) in TOYS.items()]
    return toys + [
        DatasetSpec(name="digits", target="genzoo.data.digits:digits",
                    description="scikit-learn's 8x8 digits, 17 grey levels, fixed 1,437/360 split.",
                    fields=_digit_images(8, 17), splits={"train": 1_437, "test": 360}),
        DatasetSpec(name="mnist", target="genzoo.data.mnist:mnist",
                    description="MNIST 28x28 from IDX files in --data-dir / GENZOO_DATA; 60,000/10,000 split.",
                    fields=_digit_images(28, 256), splits={"train": 60_000, "test": 10_000},
                    missing="genzoo.data.mnist_files:missing"),
    ]


@hookimpl
def genzoo_metrics() -> list[MetricSpec]:
    return [
        MetricSpec(name="nll", draws_samples=False, target="genzoo.metrics.nll:nll_metric",
                   description="Test NLL in nats and bits/dim (exact or flagged bound); the ideal on 2D toys."),
        MetricSpec(name="fid", target="genzoo.metrics.fid:fid_metric",
                   description="FID on the dataset classifier's features, with the real test-vs-train floor."),
        MetricSpec(name="fid-per-class", target="genzoo.metrics.fid_per_class:fid_per_class_metric",
                   description="FID of class-conditional samples per class against real images of that class, "
                               "with per-class floors and the mean over classes."),
        MetricSpec(name="kid", target="genzoo.metrics.kid:kid_metric",
                   description="KID (unbiased, cubic kernel) on classifier features, with the real floor."),
        MetricSpec(name="precision-recall", target="genzoo.metrics.precision_recall:precision_recall_metric",
                   description="Improved precision and recall (Kynkaanniemi et al. 2019, k=3) on classifier "
                               "features, each with the real floor."),
        MetricSpec(name="cond-acc", target="genzoo.metrics.conditional:conditional_accuracy_metric",
                   description="Share of class-conditional samples the classifier assigns to the requested class."),
        MetricSpec(name="modes", target="genzoo.metrics.modes:modes_metric",
                   description="VEEGAN mode coverage: captured modes and share of high-quality samples."),
        MetricSpec(name="accuracy", draws_samples=False, target="genzoo.metrics.conditional:accuracy_metric",
                   description="Test accuracy of a classifier model."),
        MetricSpec(name="psnr", draws_samples=False, target="genzoo.metrics.fidelity:psnr_metric",
                   description="Translators on paired data: mean PSNR (dB) of each translated test input against "
                               "its own target."),
        MetricSpec(name="ssim", draws_samples=False, target="genzoo.metrics.fidelity:ssim_metric",
                   description="Translators on paired data: mean SSIM (Wang et al. 2004, 11x11 Gaussian window, "
                               "sigma 1.5) of each translated test input against its own target."),
        MetricSpec(name="translation-fid", draws_samples=False,
                   target="genzoo.metrics.translation:translation_fid_metric",
                   description="Translators: FID of n=2,000 translated test inputs vs real target-domain test images, "
                               "with the floor of other real targets at the same n."),
        MetricSpec(name="class-kept", draws_samples=False, target="genzoo.metrics.translation:class_kept_metric",
                   description="Translators: share of translated test inputs the classifier assigns to the input's "
                               "class."),
    ]
