"""How much a MidiNet's noise z changes its bars: distinct bars among draws for one fixed chord and previous bar.

    python benchmarks/midinet_noise_diversity.py /work/runs/i16/midinet-melodies --draws 200

For each chord, `draws` first bars (previous bar silent) from as many z's; then `draws` bars for each of the first
`--test-bars` test bars' chord and real previous bar. A generator that ignores z gives 1 distinct bar per
condition; one that spreads its mass like the data gives many (melody-rules' melody-distinct-bars counts over
different conditions and cannot tell these apart).
"""

from __future__ import annotations

import click
import torch

import genzoo
from genzoo.plugin import load_dataset

from genzoo_adversarial.melody_rules import distinct_share


@click.command()
@click.argument("model_name")
@click.option("--draws", type=click.IntRange(2, 10_000), default=200, show_default=True)
@click.option("--test-bars", type=click.IntRange(1, 2_000), default=8, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@torch.no_grad()
def main(model_name: str, draws: int, test_bars: int, seed: int) -> None:
    model = genzoo.load(model_name).eval()
    generator = torch.Generator().manual_seed(seed)
    shape = model.data_spec.shape

    def distinct(label: int, previous: torch.Tensor) -> int:
        bars = model.generate_bar(torch.full((draws,), label), previous.expand(draws, *shape), generator=generator)
        return round(distinct_share(bars.cpu()) * draws)

    for label, name in enumerate(model.data_spec.class_names):
        click.echo(f"first bar, chord {name}: {distinct(label, torch.zeros(1, *shape))} distinct of {draws}")
    test = load_dataset("melodies", "test").field_tensors()
    for index in range(test_bars):
        label = int(test["label"][index])
        found = distinct(label, test["previous"][index:index + 1])
        click.echo(f"test bar {index} (chord {model.data_spec.class_names[label]}, its real previous bar): "
                   f"{found} distinct of {draws}")


if __name__ == "__main__":
    main()
