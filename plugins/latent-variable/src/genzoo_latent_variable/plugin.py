"""The genzoo entry point of the latent-variable family: what it contributes, by import path.

Nothing here imports torch, so `genzoo list` stays fast; each path is imported on first use.
"""

from pathlib import Path

from genzoo import ArchitectureSpec, Capability, CommandSpec, MetricSpec, PretrainedSpec, SamplerSpec, hookimpl

genzoo_hook_api = 2

CATALOG = Path(__file__).with_name("pretrained.json")  # sha256 pins, written by scripts/publish_pretrained.py

FAMILY = "latent-variable"
PACKAGE = "genzoo_latent_variable"
AUTOENCODER = (Capability.SAMPLE, Capability.ENCODE, Capability.DECODE)
TINY_MLP = {"hidden": (16,), "latent_dim": 2}
# What the family's samplers may call on an AE/VAE (see samplers.py); the VQ-VAE decodes codes only.
LATENT_METHODS = ("generate", "sample_prior", "latent_mixture", "decode_output")


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [
        ArchitectureSpec(
            name="ae",
            family=FAMILY,
            model=f"{PACKAGE}.ae:Autoencoder",
            capabilities=AUTOENCODER,
            default_sampler="latent-gmm",
            methods=LATENT_METHODS,
            trainers={"reconstruction": f"{PACKAGE}.ae:ReconstructionStep"},
            description="Deterministic autoencoder; samples from a Gaussian mixture fitted on its training codes.",
            tiny_config=TINY_MLP | {"mixture_components": 2},
        ),
        ArchitectureSpec(
            name="vae",
            family=FAMILY,
            model=f"{PACKAGE}.vae:VAE",
            capabilities=(*AUTOENCODER, Capability.LOG_PROB_BOUND),
            default_sampler="prior",
            methods=LATENT_METHODS,
            trainers={"elbo": f"{PACKAGE}.objectives:ELBOStep", "beta": f"{PACKAGE}.objectives:BetaELBOStep"},
            description="Variational autoencoder (MLP or conv); --set step.k=5 trains the IWAE objective, "
                        "--trainer beta the beta-VAE (KL weight beta, default 4, optional linear KL warm-up).",
            paper="Kingma & Welling 2014, arXiv:1312.6114; Burda et al. 2016, arXiv:1509.00519",
            tiny_config=TINY_MLP | {"mixture_components": 2},
        ),
        ArchitectureSpec(
            name="cvae",
            family=FAMILY,
            model=f"{PACKAGE}.cvae:ConditionalVAE",
            capabilities=(*AUTOENCODER, Capability.CONDITIONAL, Capability.LOG_PROB_BOUND),
            default_sampler="prior",
            methods=LATENT_METHODS,
            trainers={"elbo": f"{PACKAGE}.objectives:ELBOStep"},
            description="Class-conditional VAE: encoder and decoder both see the label; sample(n, condition=labels).",
            paper="Sohn et al. 2015, NeurIPS",
            tiny_config=TINY_MLP | {"mixture_components": 2, "data": {"shape": (2,), "value_range": None,
                                                                      "num_classes": 3}},
        ),
        ArchitectureSpec(
            name="vqvae",
            family=FAMILY,
            model=f"{PACKAGE}.vqvae:VQVAE",
            capabilities=AUTOENCODER,
            methods=("generate", "decode_output"),
            trainers={"vqvae": f"{PACKAGE}.vqvae:VQVAEStep"},
            description="VQ-VAE with an EMA codebook and dead-code restarts; encode gives codes, decode images. "
                        "Its own samples use a weak per-position code prior (latent diffusion is the real one).",
            paper="van den Oord et al. 2017, arXiv:1711.00937; Razavi et al. 2019, arXiv:1906.00446",
            tiny_config={"channels": 8, "codebook_size": 8, "code_dim": 4},
        ),
        ArchitectureSpec(
            name="kl-autoencoder",
            family=FAMILY,
            model=f"{PACKAGE}.kl_autoencoder:KLAutoencoder",
            capabilities=(Capability.ENCODE, Capability.DECODE),
            default_sampler=None,
            methods=("decode_output",),
            trainers={"kl-autoencoder": f"{PACKAGE}.kl_autoencoder:KLAutoencoderStep"},
            description="KL-regularised conv autoencoder (Rombach et al.'s first stage: 28x28 -> 4x7x7 continuous "
                        "latents, MSE + a tiny KL); the autoencoder latent diffusion (`ldm`) builds on. No prior: "
                        "it does not sample by itself.",
            paper="Rombach et al. 2022, arXiv:2112.10752 (the KL-reg. autoencoder, sec. 3.1 and appendix G)",
            tiny_config={"channels": 8, "latent_channels": 2},
        ),
        ArchitectureSpec(
            name="rbm",
            family=FAMILY,
            model=f"{PACKAGE}.rbm:RBM",
            capabilities=(Capability.SAMPLE, Capability.LOG_PROB_ESTIMATE),
            default_sampler="gibbs",
            methods=("generate", "gibbs"),
            trainers={"cd": f"{PACKAGE}.rbm:ContrastiveDivergenceStep"},
            description="Bernoulli-Bernoulli RBM trained by CD-k or persistent CD; log p via an AIS estimate of log Z.",
            paper="Hinton 2002; Tieleman 2008; Salakhutdinov & Murray 2008",
            tiny_config={"hidden": 8, "data": {"shape": (1, 8, 8), "kind": "binary", "value_range": (0, 1)}},
        ),
    ]


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return [
        SamplerSpec(
            name="prior",
            target=f"{PACKAGE}.samplers:PriorSampler",
            requires=(Capability.SAMPLE, Capability.DECODE),
            methods=("sample_prior", "decode_output"),
            description="Latent codes from the model's prior, decoded.",
        ),
        SamplerSpec(
            name="latent-gmm",
            target=f"{PACKAGE}.samplers:LatentMixtureSampler",
            requires=(Capability.SAMPLE, Capability.DECODE),
            methods=("latent_mixture", "decode_output"),
            description="Latent codes from a Gaussian mixture fitted on the training codes, decoded (sharper than the prior).",
        ),
        SamplerSpec(
            name="reconstruction",
            target=f"{PACKAGE}.samplers:ReconstructionSampler",
            requires=(Capability.ENCODE, Capability.DECODE),
            methods=("decode_output",),
            dataset_option="data",
            description="Random examples of a dataset (--set data=NAME) encoded and decoded.",
        ),
        SamplerSpec(
            name="interpolation",
            target=f"{PACKAGE}.samplers:InterpolationSampler",
            requires=(Capability.ENCODE, Capability.DECODE),
            methods=("decode_output",),
            dataset_option="data",
            description="n decoded points on the latent path (linear or slerp) between two dataset examples.",
        ),
        SamplerSpec(
            name="gibbs",
            target=f"{PACKAGE}.gibbs:GibbsSampler",
            requires=(Capability.SAMPLE,),
            methods=("gibbs",),
            description="Block Gibbs chains from random visible states (RBM).",
        ),
    ]


@hookimpl
def genzoo_metrics() -> list[MetricSpec]:
    return [
        MetricSpec(
            name="recon-mse", draws_samples=False,
            target=f"{PACKAGE}.metrics:reconstruction_metric",
            description="Mean squared reconstruction error per pixel on the test split (encoder + decoder).",
        ),
        MetricSpec(
            name="elbo-terms", draws_samples=False,
            target=f"{PACKAGE}.metrics:elbo_terms_metric",
            description="The ELBO's reconstruction term and KL(q(z|x) || p(z)) on the test split, in nats.",
        ),
        MetricSpec(
            name="codebook", draws_samples=False,
            target=f"{PACKAGE}.metrics:codebook_metric",
            description="Codebook usage of a VQ model on the test split: perplexity and share of codes used.",
        ),
    ]


@hookimpl
def genzoo_commands() -> list[CommandSpec]:
    return [
        CommandSpec(name="encode", target=f"{PACKAGE}.commands:encode_command",
                    description="Encode images or dataset examples into latent codes (.npy/.pt)."),
        CommandSpec(name="interpolate", target=f"{PACKAGE}.commands:interpolate_command",
                    description="Decode the latent path between two images into a PNG grid."),
    ]


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)
