"""FID against the number of network evaluations (NFE) for the diffusion family's ODE solvers, one table per model.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_fid_vs_nfe.py ddpm-mnist-cond \
        --solver ddim --solver dpm-solver --solver unipc --nfe 5 --nfe 10 --nfe 20 --nfe 50 --n 1000 \
        [--set guidance_scale=1.5] [-o fid_vs_nfe.png] [--json results.json]

Every cell is `genzoo eval MODEL --metric fid --n N --seed S --sampler SOLVER --set steps=NFE [--set ...]
--device D` (printed under the table; the device is part of it because the seeded noise differs between devices),
so each number reruns alone. NFE counts denoiser calls per sample: with
classifier-free guidance both predictions come from one batched call per step. All cells share the seed, so
every solver starts from the same noise; the FID floor (real test vs train images at the same n) is the row
under the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from genzoo.cli.options import parse_assignments


def fid_cell(model, name: str, data: str, solver: str, nfe: int, n: int, seed: int, options: tuple[str, ...],
             device: str):
    """(FID, floor, the command that measures it) for one solver at one NFE."""
    from genzoo.cli.eval import eval_command_line
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest

    assignments = (f"steps={nfe}", *options, "progress=false")
    command = eval_command_line([name], "fid", data, n, seed, solver, assignments, (), None) + f" --device {device}"
    request = EvalRequest(data=data, n=n, seed=seed, sampler=solver, sampler_options=parse_assignments(assignments),
                          device=device, command=command)
    results = {result.name: result.value for result in evaluate(model, "fid", request)}
    return results["fid"], results["fid-floor"], command


def save_plot(table: dict[str, dict[int, float]], floor: float, path: Path, title: str) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from genzoo.atomic import write_bytes

    figure, axis = plt.subplots(figsize=(6, 4))
    for solver, row in table.items():
        axis.plot(list(row), list(row.values()), marker="o", label=solver)
    axis.axhline(floor, color="grey", linestyle="--", label="floor (real test vs train)")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("network evaluations per sample (NFE)")
    axis.set_ylabel("FID (project classifier)")
    axis.set_title(title)
    axis.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", dpi=110)
    plt.close(figure)
    write_bytes(path, buffer.getvalue())


@click.command()
@click.argument("name")
@click.option("--solver", "solvers", multiple=True, default=("ddim", "dpm-solver", "unipc"), show_default=True)
@click.option("--nfe", "nfes", multiple=True, type=int, default=(5, 10, 20, 50), show_default=True)
@click.option("--n", type=int, default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--data", default="mnist", show_default=True)
@click.option("--set", "options", multiple=True, metavar="KEY=VALUE", help="A sampler option for every cell.")
@click.option("--device", default="cpu", show_default=True, help="Where the model samples and the classifier runs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the table (PNG).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the cells.")
def main(name, solvers, nfes, n, seed, data, options, device, output, json_path) -> None:
    """FID against NFE for NAME's ODE solvers."""
    import genzoo
    from genzoo.atomic import write_text
    from genzoo.cli.table import format_table

    if "steps" in parse_assignments(options):
        raise click.UsageError("--set steps=... would override every cell's NFE; give --nfe instead")
    model = genzoo.load(name, device=device)
    table: dict[str, dict[int, float]] = {}
    commands, floor = [], None
    for solver in solvers:
        table[solver] = {}
        for nfe in sorted(nfes):
            fid, floor, command = fid_cell(model, name, data, solver, nfe, n, seed, options, device)
            table[solver][nfe] = fid
            commands.append(command)
            click.echo(f"{solver} NFE {nfe}: FID {fid:.2f}", err=True)
    extra = f", {', '.join(options)}" if options else ""
    click.echo(f"{name}: FID (n={n}, seed {seed}{extra}) by solver and NFE; floor {floor:.2f}")
    click.echo(format_table(["solver", *[f"NFE {nfe}" for nfe in sorted(nfes)]],
                            [[solver, *[f"{row[nfe]:.2f}" for nfe in sorted(nfes)]] for solver, row in table.items()]))
    click.echo("\n".join(commands))
    if output:
        save_plot(table, floor, output, f"{name}{extra}")
    if json_path:
        cells = [{"solver": s, "nfe": k, "fid": v} for s, row in table.items() for k, v in row.items()]
        write_text(json_path, json.dumps({"model": name, "n": n, "seed": seed, "options": list(options),
                                          "floor": floor, "cells": cells}, indent=2) + "\n")


if __name__ == "__main__":
    main()
