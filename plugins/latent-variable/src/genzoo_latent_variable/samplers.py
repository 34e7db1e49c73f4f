"""The family's registered samplers; each works on any model that has the methods it names.

All decode through `decode_output`; `prior` and `latent-gmm` also need `sample_prior` /
`latent_mixture`, while `reconstruction` and `interpolation` need only the encoder, so they also
run on the VQ-VAE. Options are validated (`--set output=mean`), and every draw comes from the caller's
generator, so a seed fixes the result.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo import Sampler
from genzoo.plugin import GenzooError, dataset_tensors

from genzoo_latent_variable.interpolation import Method, interpolate

Output = Literal["sample", "mean"]


class DecodeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    output: Output = Field("sample", description="sample: a draw from p(x|z) (matches the data); mean: the decoder mean.")


class DatasetOptions(DecodeOptions):
    data: str = Field(description="Registered dataset whose examples are encoded, e.g. mnist.")
    split: Literal["train", "test"] = "test"
    data_dir: str | None = None


class PriorSampler(Sampler):
    """Codes from the model's prior (N(0, I)), decoded."""

    Options = DecodeOptions

    def run(self, model, n, *, condition, generator, options):
        z = model.sample_prior(n, generator)
        return model.decode_output(z, condition=condition, generator=generator, output=options.output)


class LatentMixtureSampler(Sampler):
    """Codes from the Gaussian mixture fitted on the training codes, decoded."""

    Options = DecodeOptions

    def run(self, model, n, *, condition, generator, options):
        if model.latent_mixture is None:
            raise GenzooError(f"{model.name!r} was built with mixture_components=0: it has no latent mixture")
        z = model.latent_mixture.sample(n, generator)
        return model.decode_output(z, condition=condition, generator=generator, output=options.output)


class ReconstructionSampler(Sampler):
    """n examples of a dataset split drawn at random (with replacement, from the generator), encoded and decoded.

    With a labelled dataset and a conditional model, each example is encoded and decoded with its own label
    (a condition passed by the caller is rejected: the labels come from the data).
    """

    Options = DatasetOptions

    def run(self, model, n, *, condition, generator, options):
        if condition is not None:
            raise GenzooError("the reconstruction sampler takes labels from the dataset; drop the condition")
        x, y = dataset_tensors(model.data_spec, options.data, options.split, options.data_dir, repr(model.name))
        index = torch.randint(len(x), (n,), generator=generator, device=generator.device if generator else None).cpu()
        x = x[index].to(model.device)
        labels = y[index].to(model.device) if model.conditional else None
        return model.decode_output(model.encode(x, condition=labels), condition=labels, generator=generator,
                                   output=options.output)


class InterpolationOptions(DatasetOptions):
    start: int = Field(0, ge=0, description="Index of the first example in the split.")
    end: int = Field(1, ge=0, description="Index of the last example in the split.")
    method: Method = "slerp"


class InterpolationSampler(Sampler):
    """n decoded codes evenly spaced on the path between the codes of two dataset examples.

    A conditional model given no condition encodes each example with its own label and decodes the
    path with the first example's label.
    """

    Options = InterpolationOptions

    def run(self, model, n, *, condition, generator, options):
        x, y = dataset_tensors(model.data_spec, options.data, options.split, options.data_dir, repr(model.name))
        for index in (options.start, options.end):
            if index >= len(x):
                raise GenzooError(f"example {index} is out of range: {options.data} {options.split} has {len(x)}")
        pair = x[[options.start, options.end]].to(model.device)
        pair_condition = None if condition is None else condition[[0, -1]]
        if condition is None and model.conditional:  # the examples' own labels: each encoded
            pair_condition = y[[options.start, options.end]].to(model.device)  # with its own, the path decoded
            condition = pair_condition[:1].expand(n).clone()  # with the first one's
        return interpolate(model, pair, n, options.method, pair_condition=pair_condition, condition=condition,
                           generator=generator, output=options.output)
