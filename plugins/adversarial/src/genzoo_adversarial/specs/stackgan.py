"""StackGAN (two-stage class-conditional generation on MNIST) and its two samplers.

Import paths only (no torch), so `genzoo list` stays fast.
"""

from genzoo import ArchitectureSpec, Capability, SamplerSpec

from genzoo_adversarial.specs import FAMILY, PACKAGE

STAGES = (Capability.SAMPLE, Capability.CONDITIONAL)
# 8x8 digits: 4x4 stage I -> 8x8 stage II, every network a few channels wide.
TINY_STACKGAN = {"data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10},
                 "latent_dim": 4, "code_dim": 2, "stage_one_channels": (4, 4), "stage_one_discriminator": (4,),
                 "stage_two_width": 4, "residual_blocks": 1, "stage_two_discriminator": (4, 4)}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="stackgan", family=FAMILY, model=f"{PACKAGE}.stackgan:StackGAN", capabilities=STAGES,
        default_sampler="ancestral", methods=("generate", "generate_stages", "generate_stage_one",
                                              "upsample_stage_one"),
        trainers={"stage-one": f"{PACKAGE}.stackgan_training:StageOneStep",
                  "stage-two": f"{PACKAGE}.stackgan_training:StageTwoStep"},
        description="StackGAN, two stages: the paper draws 64x64 birds/flowers from a text embedding, then refines "
                    "them to 256x256; here MNIST with the class label as the text. Conditioning augmentation "
                    "(c = mu + sigma eps, KL to N(0, I) weighted by step.kl_weight), stage I z + c -> 14x14, stage "
                    "II 14x14 image + c -> residual blocks -> 28x28, matching-aware discriminators (real image + "
                    "wrong label counts as fake). Train --trainer stage-one, then --trainer stage-two --init RUN. "
                    "Samplers: stackgan-stage-one, stackgan-stage-pairs.",
        paper="Zhang et al. 2017, arXiv:1612.03242",
        tiny_config=TINY_STACKGAN),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="stackgan-stage-one", target=f"{PACKAGE}.stackgan_samplers:StageOneSampler", requires=STAGES,
        methods=("generate_stage_one", "upsample_stage_one"),
        description="StackGAN's stage-I images alone, upsampled to the data's size (--set upsample=bilinear|nearest): "
                    "FID of stage I beside stage II."),
    SamplerSpec(
        name="stackgan-stage-pairs", target=f"{PACKAGE}.stackgan_samplers:StagePairsSampler", requires=STAGES,
        methods=("generate_stages", "upsample_stage_one"),
        description="StackGAN's stage I above stage II: in the square PNG grid each even row shows the stage-I images "
                    "(upsampled, --set upsample=nearest|bilinear) of the stage-II samples in the row below; -n 100 "
                    "--condition 0,...,9 gives one class per column."),
]
