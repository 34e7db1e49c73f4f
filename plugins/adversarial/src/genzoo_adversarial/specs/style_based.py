"""The style-based generator of the family (StyleGAN-style, for MNIST) and its two samplers.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, SamplerSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE

STYLE_METHODS = ("generate", "generate_from_latent", "styles", "mix", "render_sample")
TINY_STYLEGAN = {"latent_dim": 4, "w_dim": 4, "mapping_layers": 1, "synthesis_channels": (4, 4, 4),
                 "channels": (4, 8), "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0)}}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="stylegan", family=FAMILY, model=f"{PACKAGE}.stylegan:StyleGAN", capabilities=(Capability.SAMPLE,),
        default_sampler="style-truncation", methods=STYLE_METHODS,
        trainers={"stylegan": f"{PACKAGE}.stylegan:StyleGANStep"},
        description="StyleGAN2-style generator (the papers: 1024x1024 FFHQ faces; here: 28x28 MNIST digits): mapping "
                    "MLP z -> w (running mean of w kept for truncation), learned 7x7 constant, modulated/demodulated "
                    "3x3 convs with per-layer noise up to 28x28, mixing regularisation; DCGAN discriminator, "
                    "non-saturating loss, optional R1 (step.r1_gamma), StyleGAN2's Adam (2e-3, betas (0, 0.99)). "
                    "Samplers: style-truncation (--set truncation=0.7), style-mixing (grid, --set crossover=K "
                    "source_b=coarse|fine).",
        paper="Karras et al. 2019, arXiv:1812.04948; Karras et al. 2020, arXiv:1912.04958",
        tiny_config=TINY_STYLEGAN),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="style-truncation", target=f"{PACKAGE}.stylegan_samplers:StyleTruncationSampler",
        requires=(Capability.SAMPLE,), methods=("styles", "render_sample"),
        description="StyleGAN's truncation trick in w space: w_avg + psi (w - w_avg), psi = --set truncation=0.7 "
                    "(1: none, 0: the mean w's image)."),
    SamplerSpec(
        name="style-mixing", target=f"{PACKAGE}.stylegan_samplers:StyleMixingSampler",
        requires=(Capability.SAMPLE,), methods=("styles", "mix", "render_sample"),
        description="Style-mixing grid, n = (k + 1)^2: top row source B, left column source A, cell (i, j) A_i with "
                    "B_j's styles below layer --set crossover=K (source_b=fine: from K on); truncation=psi too."),
]
