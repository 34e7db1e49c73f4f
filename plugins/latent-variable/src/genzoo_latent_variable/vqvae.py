"""VQ-VAE: a conv autoencoder whose latents are snapped to a learned codebook.

    x -> encoder (stride-2 convs, residual blocks) -> 1x1 conv to `code_dim` -> nearest code
      -> decoder (residual blocks, transposed convs) -> image, clamped to the value_range

The decoder's output is linear in training and clamped to the value_range when decoding, not a
sigmoid: under an MSE loss on mostly black images, Adam drives a sigmoid into saturation within a
few dozen steps (at learning rates from 2e-4 to 2e-3 alike), after which its vanishing gradient
leaves the model reconstructing black images.

The codebook is not trained by gradients: it holds buffers updated by exponential moving averages
of the encoder outputs assigned to each code (van den Oord et al. 2017, appendix A.1; Razavi et al.
2019), which is more stable than a codebook loss. Gradients reach the encoder through the
straight-through estimator, and a commitment loss keeps encoder outputs near their codes. Codes
that stop being used are restarted at random encoder outputs of the batch, so the codebook stays
in use (the usual failure of VQ models is a few codes doing all the work).

A VQ-VAE has no learned prior. To claim `sample`, it keeps an *independent categorical prior per
latent position*, fitted on the training codes after training (`VQVAEStep.finish`). That prior
ignores every dependency between positions, so its samples are collages of stroke fragments, not
digits (FID ~530 on MNIST). It is a baseline. Latent diffusion (the diffusion family) can denoise its
pre-quantization latents (`encode_latents`) and decode with `decode_latents`; on MNIST that did poorly (FID 294)
and the published ldm-mnist uses the KL autoencoder's continuous latents instead.
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal, NamedTuple

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel
from genzoo.plugin import Batch, FitData, GenzooError, TrainingStep, snap_to_levels

from genzoo_latent_variable.conv_autoencoder import (ConvAutoencoderConfig, conv_decoder, conv_encoder, from_decoder,
                                                     latent_grid, to_unit_range)

class VQVAEConfig(ConvAutoencoderConfig):
    described_as: ClassVar[str] = "VQ-VAE"

    codebook_size: int = Field(128, ge=2, description="Number of codes K.")
    code_dim: int = Field(16, ge=1, description="Size of one code vector.")
    commitment: float = Field(0.25, ge=0, description="Weight of ||z_e - sg(z_q)||^2 (beta in the paper).")
    ema_decay: float = Field(0.99, gt=0, lt=1, description="Decay of the codebook's moving averages.")
    dead_code_threshold: float = Field(
        1.0, ge=0,
        description="A code whose EMA count of assigned vectors per batch falls below this is restarted; 0 = never.",
    )



class VQOutput(NamedTuple):
    """One forward pass: what the training step needs for its losses and logs."""

    reconstruction: torch.Tensor  # (n, *shape), decoded from the straight-through latents, not clamped
    z_e: torch.Tensor  # (n, code_dim, h, w) encoder outputs
    z_q: torch.Tensor  # (n, code_dim, h, w) their nearest codes (no gradient)
    codes: torch.Tensor  # (n, h, w) code indices
    dead_codes: torch.Tensor  # number of codes restarted by this pass (0 outside training)


class VectorQuantizer(nn.Module):
    """A codebook of `size` vectors kept as buffers and learned by EMA k-means.

    `cluster_size` and `embed_sum` are moving averages of how many vectors each code wins per batch
    and of their sum; a code is their ratio. They start as if every code had won itself once, so an
    untouched code keeps its value instead of being divided by zero.
    """

    EPSILON = 1e-5  # Laplace smoothing of the cluster sizes

    def __init__(self, size: int, dim: int, decay: float, dead_code_threshold: float):
        super().__init__()
        self.decay, self.threshold = decay, dead_code_threshold
        codebook = torch.randn(size, dim)
        self.register_buffer("codebook", codebook)
        self.register_buffer("cluster_size", torch.ones(size))
        self.register_buffer("embed_sum", codebook.clone())

    @torch.no_grad()
    def nearest(self, flat: torch.Tensor) -> torch.Tensor:
        """Index of the closest code (Euclidean) for each row of `flat` (N, dim)."""
        distances = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.T
                     + self.codebook.pow(2).sum(1))
        return distances.argmin(1)

    @torch.no_grad()
    def update(self, flat: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """One EMA step on vectors `flat` (N, dim) assigned to `codes` (N,); returns how many codes restarted.

        Uses one-hot matmuls rather than index_add_ (atomic, so nondeterministic on GPU) and torch's
        global RNG for restarts, so a resumed run repeats the same updates. Under torchrun the
        statistics are summed over processes, so every process learns the same codebook.
        """
        one_hot = F.one_hot(codes, len(self.codebook)).type_as(flat)
        counts, sums = one_hot.sum(0), one_hot.T @ flat
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.all_reduce(counts)
            torch.distributed.all_reduce(sums)
        self.cluster_size.lerp_(counts, 1 - self.decay)
        self.embed_sum.lerp_(sums, 1 - self.decay)
        total = self.cluster_size.sum()
        smoothed = (self.cluster_size + self.EPSILON) / (total + len(self.codebook) * self.EPSILON) * total
        self.codebook.copy_(self.embed_sum / smoothed[:, None])
        return self.restart_dead(flat)

    @torch.no_grad()
    def restart_dead(self, flat: torch.Tensor) -> torch.Tensor:
        """Move codes whose EMA count is below the threshold onto random rows of `flat`.

        A restarted code counts as having `threshold` vectors, so it survives the next step only if
        it wins at least that many; until then it keeps jumping to fresh encoder outputs.
        """
        dead = (self.cluster_size < self.threshold).nonzero().squeeze(1)
        if len(dead):
            if len(flat) >= len(dead):
                rows = torch.randperm(len(flat), device=flat.device)[: len(dead)]
            else:
                rows = torch.randint(len(flat), (len(dead),), device=flat.device)
            self.codebook[dead] = flat[rows]
            self.cluster_size[dead] = self.threshold
            self.embed_sum[dead] = flat[rows] * self.threshold
        return torch.tensor(float(len(dead)), device=flat.device)


class VQVAE(GenerativeModel):
    """Encodes images to a grid of code indices and decodes them back; see the module docstring."""

    config_class = VQVAEConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.ENCODE, Capability.DECODE})
    default_sampler = "ancestral"

    def __init__(self, config: VQVAEConfig):
        super().__init__(config)
        channels = config.data.shape[0]
        self.encoder = conv_encoder(channels, config.channels, config.downsample, config.residual_blocks,
                                    config.code_dim)
        self.decoder = conv_decoder(config.code_dim, config.channels, config.downsample, config.residual_blocks,
                                    channels)
        self.quantizer = VectorQuantizer(config.codebook_size, config.code_dim, config.ema_decay,
                                         config.dead_code_threshold)
        positions = math.prod(self.latent_shape[1:])
        # Uniform until VQVAEStep.finish fits it on the training codes.
        self.register_buffer("code_log_prior", torch.full((positions, config.codebook_size),
                                                          -math.log(config.codebook_size)))

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        """(code_dim, h, w) of `embed`'s latents; `encode` gives (h, w) codes per image."""
        return latent_grid(self.data_spec, self.config.code_dim, self.config.downsample)

    # -- the pieces ------------------------------------------------------------------------
    def encode_latents(self, x: torch.Tensor) -> torch.Tensor:
        """Encoder outputs z_e (n, code_dim, h, w) before quantization; the encoder sees x scaled to [-1, 1].

        Latent diffusion models these continuous latents and leaves the snapping to the codebook to
        `decode_latents` (Rombach et al.: the quantization layer is absorbed into the decoder).
        """
        return self.encoder(to_unit_range(x, self.data_spec))

    def _decode_latents(self, z: torch.Tensor, *, clamp: bool = True) -> torch.Tensor:
        """Images from latents (see conv_autoencoder.from_decoder)."""
        return from_decoder(self.decoder(z), self.data_spec, clamp=clamp)

    @torch.no_grad()
    def latent_statistics(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-channel mean and spread (code_dim,) of the codebook: every latent decodes to one of its codes, so
        these standardise latents for diffusion from the weights alone, with no pass over data."""
        codebook = self.quantizer.codebook
        return codebook.mean(0), codebook.std(0)

    def quantize(self, z_e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Nearest codes of latents (n, code_dim, h, w): (z_q like z_e, codes (n, h, w)). Never updates."""
        n, dim, height, width = z_e.shape
        codes = self.quantizer.nearest(z_e.permute(0, 2, 3, 1).reshape(-1, dim)).reshape(n, height, width)
        return self.embed(codes), codes

    def embed(self, codes: torch.Tensor) -> torch.Tensor:
        """Code vectors of `codes` (n, h, w) as float latents (n, code_dim, h, w)."""
        return self.quantizer.codebook[codes].permute(0, 3, 1, 2)

    # -- Encoder interface -----------------------------------------------------------------
    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Code indices (n, h, w), a LongTensor."""
        return self.quantize(self.encode_latents(x))[1]

    def decode(self, codes: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Images (n, *shape) in the value_range from code indices (n, h, w)."""
        if codes.is_floating_point():
            raise GenzooError("VQVAE.decode takes the integer codes of encode(); decode continuous latents "
                              "with decode_latents")
        return self._decode_latents(self.embed(codes))

    def decode_output(self, codes: torch.Tensor, *, condition: torch.Tensor | None = None,
                      generator: torch.Generator | None = None, output: Literal["sample", "mean"] = "sample") -> torch.Tensor:
        """Images that match the DataSpec (rounded to its levels when discrete), or with output="mean" the
        decoder's values, as the family's samplers expect. The decoder is deterministic: no generator is used."""
        images = self.decode(codes)
        return _to_levels(images, self.data_spec) if output == "sample" else images

    def decode_latents(self, z: torch.Tensor, *, quantize: bool = True) -> torch.Tensor:
        """Images from float latents (n, code_dim, h, w), snapped to their nearest codes unless `quantize=False`.

        For latent diffusion, whose denoised latents are near, but not on, the codebook.
        """
        return self._decode_latents(self.quantize(z)[0] if quantize else z)

    # -- training --------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> VQOutput:
        """Encode, quantize and decode through the straight-through estimator.

        In training mode this also takes one EMA step of the codebook (and restarts dead codes):
        the forward pass is where the batch's encoder outputs are at hand.
        """
        z_e = self.encode_latents(x)
        z_q, codes = self.quantize(z_e)
        z_q = z_q.detach()
        dead = torch.zeros((), device=x.device)
        if self.training:
            dead = self.quantizer.update(z_e.detach().permute(0, 2, 3, 1).reshape(-1, z_e.shape[1]),
                                         codes.reshape(-1))
        reconstruction = self._decode_latents(z_e + (z_q - z_e).detach(), clamp=False)
        return VQOutput(reconstruction, z_e, z_q, codes, dead)

    # -- Generator -------------------------------------------------------------------------
    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes drawn independently per position from `code_log_prior`, decoded (a weak prior)."""
        _, height, width = self.latent_shape
        probs = self.code_log_prior.softmax(-1)
        codes = torch.multinomial(probs, n, replacement=True, generator=generator)  # (h*w, n)
        return self.decode_output(codes.T.reshape(n, height, width))

    @torch.no_grad()
    def fit_prior(self, codes: torch.Tensor, pseudo_count: float = 0.01) -> None:
        """Set `code_log_prior` to the per-position code frequencies of `codes` (N, h, w).

        The small pseudo-count keeps every log-probability finite (checkpoints must be finite)
        while giving codes never seen at a position a negligible chance.
        """
        flat = codes.reshape(len(codes), -1)
        counts = torch.zeros_like(self.code_log_prior).scatter_add_(
            1, flat.T, torch.ones(flat.T.shape, device=flat.device))
        counts += pseudo_count
        self.code_log_prior.copy_((counts / counts.sum(1, keepdim=True)).log())


def _to_levels(x: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """Round images to the DataSpec's grid of levels for discrete and binary data."""
    if spec.kind == "continuous":
        return x
    return snap_to_levels(x, spec.levels or 2, spec.value_range)


def perplexity(codes: torch.Tensor, size: int) -> torch.Tensor:
    """exp(entropy) of the code usage in `codes`: the number of equally used codes it amounts to."""
    p = torch.bincount(codes.reshape(-1), minlength=size).float()
    p = p / p.sum()
    return torch.exp(-(p * torch.log(p.clamp_min(1e-12))).sum())


class VQVAEStep(TrainingStep):
    """Reconstruction MSE plus the commitment loss; the codebook learns by EMA inside the forward pass.

    Leave `train.ema_decay` off: it would also average the codebook buffers, which are already
    moving averages, and smear the jumps of restarted codes.
    """

    FINISH_BATCH: ClassVar[int] = 1024  # examples encoded at once when fitting the prior, to bound memory

    def loss(self, model: VQVAE, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        out = model(batch.x)
        recon = F.mse_loss(out.reconstruction, batch.x)
        commitment = F.mse_loss(out.z_e, out.z_q)  # z_q is detached: no codebook loss with an EMA codebook
        return {
            "loss": recon + model.config.commitment * commitment,
            "recon": recon.detach(),
            "commitment": commitment.detach(),
            "perplexity": perplexity(out.codes, model.config.codebook_size),
            "dead_codes": out.dead_codes,
        }

    @torch.no_grad()
    def finish(self, model: VQVAE, data: FitData) -> dict[str, float]:
        """Fit the sampling prior on the codes of the whole training set and report codebook usage."""
        x = data.all().x
        codes = torch.cat([model.encode(chunk) for chunk in x.split(self.FINISH_BATCH)])
        model.fit_prior(codes)
        used = torch.unique(codes).numel()
        return {"codebook_perplexity": float(perplexity(codes, model.config.codebook_size)), "codes_used": used}
