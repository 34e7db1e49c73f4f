"""How many of a cGAN generator's latent directions change its images, and what E_z buys over the prior mean.

IcGAN's E_z is trained by ||E_z(G(z, y)) - z||^2, whose floor is set by the directions of z that G ignores:
those leave no trace in the image and cannot be recovered. This script measures them for a cGAN
(default cgan-mnist): the singular values of the Jacobian d G(z, y) / d z (784 x latent_dim) at --n random
(z, y), and the share of their squared sum held by the top k directions. With --icgan RUN it also
measures the per-value reconstruction MSE on --images seeded MNIST test digits (the metric's subset)
of G(0, E_y(x)) (the prior mean: no encoder at all) beside G(E_z(x), E_y(x)), the row `icgan-reconstruction` reports.

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/icgan_latent_use.py --n 20 --images 1000 \
        --icgan /work/runs/i16/icgan-mnist

Prints one JSON line.
"""

from __future__ import annotations

import json

import click
import torch

import genzoo
from genzoo.plugin import load_dataset
from genzoo_adversarial.icgan import squared_errors

TOP = (5, 10, 20, 50)


def jacobian_energy(cgan, n: int, seed: int) -> dict[str, float]:
    """Mean share of the squared singular values of dG/dz in the top k directions, and the mean count of
    singular values above 1% of the largest."""
    generator = torch.Generator().manual_seed(seed)
    classes = cgan.data_spec.num_classes
    shares = {k: 0.0 for k in TOP}
    counted = 0.0
    for index in range(n):
        z, y = torch.randn(1, cgan.latent_dim, generator=generator), torch.tensor([index % classes])
        # forward mode: latent_dim passes instead of one backward pass per pixel
        jacobian = torch.func.jacfwd(lambda latent: cgan.fake(latent, y).flatten())(z)
        values = torch.linalg.svdvals(jacobian.reshape(-1, cgan.latent_dim))
        energy = values.detach().square()
        for k in TOP:
            shares[k] += float(energy[:k].sum() / energy.sum()) / n
        counted += float((energy > 1e-4 * energy[0]).sum()) / n  # singular values above 1% of the largest
    return {**{f"energy_top{k}": round(v, 4) for k, v in shares.items()},
            "directions_above_1pct": round(counted, 1)}


@torch.no_grad()
def prior_mean_reconstruction(icgan, n: int, seed: int) -> dict[str, float]:
    """Per-value MSE of G(0, E_y(x)) and of G(E_z(x), E_y(x)) on n seeded test images."""
    x, _ = load_dataset("mnist", "test").tensors()
    x = x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]]
    labels = icgan.label_logits(x).argmax(1)
    zero = icgan.generate_from_latent(torch.zeros(n, icgan.latent_dim), labels)
    encoded = icgan.generate_from_latent(icgan.encode_latent(x), labels)
    values = x[0].numel()
    return {"mse_prior_mean_z": round(float(squared_errors(x, zero).mean()) / values, 5),
            "mse_encoded_z": round(float(squared_errors(x, encoded).mean()) / values, 5)}


@click.command()
@click.option("--cgan", default="cgan-mnist", show_default=True, help="The cGAN whose generator is measured.")
@click.option("--icgan", help="An IcGAN run or name: also compare its E_z with z = 0.")
@click.option("--n", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--images", type=click.IntRange(1, 10_000), default=1000, show_default=True,
              help="Test digits for the reconstruction comparison.")
@click.option("--seed", type=click.IntRange(0, 2**31), default=0, show_default=True)
def main(cgan, icgan, n, images, seed) -> None:
    report = {"cgan": cgan, "n": n, "seed": seed, **jacobian_energy(genzoo.load(cgan).eval(), n, seed)}
    if icgan:
        report |= {"icgan": icgan, **prior_mean_reconstruction(genzoo.load(icgan).eval(), images, seed)}
    click.echo(json.dumps(report))


if __name__ == "__main__":
    main()
