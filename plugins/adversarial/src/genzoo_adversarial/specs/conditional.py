"""The conditional GANs (cGAN, AC-GAN), InfoGAN, the moment matching network (GMMN) and AnoGAN, with
InfoGAN's traversal sampler, the code-agreement and anomaly-auroc metrics and `genzoo anogan-score`.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, CommandSpec, MetricSpec, SamplerSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE

GAN_METHODS = ("generate", "generate_from_latent")
TINY_MLP = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,)}
TINY_LABELLED = TINY_MLP | {"data": {"shape": (2,), "value_range": None, "num_classes": 3}}
CONDITIONAL = (Capability.SAMPLE, Capability.CONDITIONAL)


def _architecture(name: str, model: str, trainers: dict[str, str], description: str, paper: str, tiny_config: dict,
                  capabilities: tuple[Capability, ...] = (Capability.SAMPLE,),
                  methods: tuple[str, ...] = GAN_METHODS) -> ArchitectureSpec:
    return ArchitectureSpec(name=name, family=FAMILY, model=f"{PACKAGE}.{model}", capabilities=capabilities,
                            methods=methods, trainers={k: f"{PACKAGE}.{v}" for k, v in trainers.items()},
                            description=description, paper=paper, tiny_config=tiny_config)


ARCHITECTURES: list[ArchitectureSpec] = [
    _architecture(
        "cgan", "cgan:ConditionalGAN", {"gan": "gan:GANStep"},
        "Conditional GAN: generator and discriminator both see a one-hot label; sample(n, condition=labels).",
        "Mirza & Osindero 2014, arXiv:1411.1784", TINY_LABELLED, capabilities=CONDITIONAL),
    _architecture(
        "acgan", "acgan:ACGAN", {"acgan": "acgan:ACGANStep"},
        "AC-GAN: label-conditioned generator; the discriminator gets no label but classifies real and fake "
        "examples (classify(x); --metric accuracy measures it).",
        "Odena et al. 2017, arXiv:1610.09585", TINY_LABELLED, capabilities=CONDITIONAL),
    _architecture(
        "infogan", "infogan:InfoGAN", {"infogan": "infogan:InfoGANStep"},
        "InfoGAN: categorical + continuous latent codes kept readable by a Q head on the discriminator "
        "(mutual-information bound); --sampler traversal draws the code grid.",
        "Chen et al. 2016, arXiv:1606.03657",
        TINY_MLP | {"network": "mlp", "latent_dim": 6, "categories": 3, "continuous": 1,
                    "data": {"shape": (2,), "value_range": None}},
        methods=(*GAN_METHODS, "latent_from_codes", "sample_noise")),
    _architecture(
        "gmmn", "gmmn:GMMN", {"mmd": "gmmn:MMDStep"},
        "Generative moment matching network: a generator trained by the unbiased MMD^2 with a mixture of RBF "
        "kernels (--set step.bandwidths=[...]), no discriminator.",
        "Li et al. 2015, arXiv:1502.02761", {"latent_dim": 2, "generator_hidden": (8,)}),
    _architecture(
        "anogan", "anogan:AnoGAN", {"normal-classes": "anogan:NormalClassesStep"},
        "AnoGAN: a DCGAN trained without model.anomaly_class; anomaly_scores(x) searches its latent space "
        "(residual + feature-matching loss). --metric anomaly-auroc, genzoo anogan-score.",
        "Schlegl et al. 2017, arXiv:1703.05921",
        {"latent_dim": 4, "channels": (4, 8), "search_steps": 2, "anomaly_class": 1,
         "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "num_classes": 2}}),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="traversal",
        target=f"{PACKAGE}.traversal_sampler:TraversalSampler",
        requires=(Capability.SAMPLE,),
        methods=("latent_from_codes", "sample_noise", "generate_from_latent"),
        description="InfoGAN latent traversal: rows = categorical code, columns sweep one continuous code "
                    "(--set code=0 --set columns=10 --set span=2) over one shared noise draw; -n columns^2.",
        tiny_options={"columns": 3},
    ),
]
METRICS: list[MetricSpec] = [
    MetricSpec(
        name="code-agreement", draws_samples=False,
        target=f"{PACKAGE}.code_agreement:code_agreement_metric",
        description="InfoGAN: share of real test images whose categorical code (argmax Q) matches their class "
                    "under the best code-to-class matching (Hungarian).",
    ),
    MetricSpec(
        name="anomaly-auroc", draws_samples=False,
        target=f"{PACKAGE}.anomaly_metric:anomaly_auroc_metric",
        description="AUROC of anomaly scores on the test split, the class an AnoGAN left out as the anomaly (every "
                    "class in turn for a model without one); AnoGAN latent search or autoencoder reconstruction error.",
    ),
]
COMMANDS: list[CommandSpec] = [
    CommandSpec(name="anogan-score", target=f"{PACKAGE}.anogan_command:anogan_score_command",
                description="AnoGAN anomaly scores of image files or DATASET:INDEX inputs."),
]
