"""PixelCNNs: the original (mask A/B, blind spot kept) and the Gated PixelCNN (two stacks, class-conditional),
both with a cached sampler bit-identical to the naive one. They use the `naive` and `cached` samplers
registered in `specs.autoregressive`."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

from genzoo_explicit_likelihood.specs.autoregressive import (AR, CACHED_METHODS, CAPABILITIES, FAMILY, NAIVE_METHODS,
                                                             PACKAGE, TINY_DATA)

METHODS = ("generate", *NAIVE_METHODS, *CACHED_METHODS)
TINY_PIXELCNN = {"channels": 2, "layers": 2, "first_kernel": 3, "kernel": 3, "head_channels": 4}
# The same 8 binary pixels with two classes: the kit sums all 256 images under each label.
TINY_LABELLED = {**TINY_DATA, "num_classes": 2}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="pixelcnn",
        family=FAMILY,
        model=f"{AR}.pixelcnn:PixelCNN",
        capabilities=CAPABILITIES,
        default_sampler="cached",
        methods=METHODS,
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="PixelCNN: 7x7 mask A convolution, residual blocks with 3x3 mask B, 1x1 head to a binary or "
                    "K-level softmax per pixel; no blind-spot fix. Cached sampling computes each layer at the new "
                    "pixel only, bit-identical to the naive sampler.",
        paper="van den Oord, Kalchbrenner & Kavukcuoglu 2016, Pixel Recurrent Neural Networks",
        tiny_config={"data": TINY_DATA, **TINY_PIXELCNN},
    ),
    ArchitectureSpec(
        name="gated-pixelcnn",
        family=FAMILY,
        model=f"{AR}.gated_pixelcnn:GatedPixelCNN",
        capabilities=(*CAPABILITIES, Capability.CONDITIONAL),
        default_sampler="cached",
        methods=METHODS,
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="Gated PixelCNN: vertical and horizontal stacks (no blind spot), tanh*sigmoid gates, residual "
                    "horizontal stack, class-conditional biases (num_classes; None = unconditional). Cached "
                    "sampling: the vertical stack row by row, the horizontal pixel by pixel, bit-identical to "
                    "the naive sampler.",
        paper="van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves & Kavukcuoglu 2016, Conditional Image "
              "Generation with PixelCNN Decoders",
        tiny_config={"data": TINY_LABELLED, "num_classes": 2, **TINY_PIXELCNN},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
