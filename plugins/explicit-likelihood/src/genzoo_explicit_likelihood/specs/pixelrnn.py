"""PixelRNN (Row LSTM and Diagonal BiLSTM) on single-channel images; it uses the `naive` sampler registered in
`specs.autoregressive` (no cache: see the model's docstring)."""

from genzoo import ArchitectureSpec, MetricSpec, SamplerSpec

from genzoo_explicit_likelihood.specs.autoregressive import AR, CAPABILITIES, FAMILY, NAIVE_METHODS, PACKAGE, TINY_DATA

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="pixelrnn",
        family=FAMILY,
        model=f"{AR}.pixelrnn:PixelRNN",
        capabilities=CAPABILITIES,
        default_sampler="naive",
        methods=("generate", *NAIVE_METHODS),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="PixelRNN on single-channel images (binarized MNIST): 7x7 mask-A convolution, residual Row "
                    "LSTM or Diagonal BiLSTM layers (model.cell), 1x1 output layers; sigmoid or K-way softmax "
                    "pixels; naive sampling.",
        paper="van den Oord, Kalchbrenner & Kavukcuoglu 2016, Pixel Recurrent Neural Networks",
        tiny_config={"data": TINY_DATA, "cell": "diagonal-bilstm", "layers": 2, "hidden": 3, "output_hidden": 4},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
