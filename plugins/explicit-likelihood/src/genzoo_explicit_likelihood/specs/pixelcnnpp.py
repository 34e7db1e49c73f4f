"""PixelCNN++: a discretized logistic mixture over K grey levels (256-level MNIST by default). It uses the `naive`
sampler registered in `specs.autoregressive` (no cache: see the model's docstring)."""

from genzoo import ArchitectureSpec, MetricSpec, SamplerSpec

from genzoo_explicit_likelihood.specs.autoregressive import AR, CAPABILITIES, FAMILY, NAIVE_METHODS, PACKAGE

# 8 pixels of 3 levels: 6,561 images, so the kit sums the whole distribution; one downsampling (2 x 4 -> 1 x 2).
TINY_LEVELS = {"shape": (1, 2, 4), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="pixelcnnpp",
        family=FAMILY,
        model=f"{AR}.pixelcnnpp:PixelCNNPP",
        capabilities=CAPABILITIES,
        default_sampler="naive",
        methods=("generate", *NAIVE_METHODS),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="PixelCNN++ for grey images of K levels (256-level MNIST: --set data.view=levels): discretized "
                    "logistic mixture likelihood, down- and down-right-shifted two-stream convolutions, gated resnets "
                    "with concat_elu and dropout, strided down / transposed up passes with shortcut connections.",
        paper="Salimans, Karpathy, Chen & Kingma 2017, PixelCNN++: Improving the PixelCNN with Discretized Logistic "
              "Mixture Likelihood and Other Modifications",
        tiny_config={"data": TINY_LEVELS, "filters": 4, "resnets": 1, "downsamples": 1, "components": 2},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
