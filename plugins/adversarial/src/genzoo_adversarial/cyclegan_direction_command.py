"""`genzoo cyclegan-direction NAME b_to_a --out DIR`: the same CycleGAN weights, saved to translate the other way.

A CycleGAN trains both of its translators at once, but `genzoo translate` runs one: the one its config's
`direction` names. This writes a copy of the checkpoint whose direction is the one asked for (weights
bit-identical, source and data specs swapped), so `genzoo translate DIR --input mnist-thick:3` turns a
thick digit back into a thin one. From Python, `model.translate(x, direction="b_to_a")` needs no copy.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("cyclegan-direction")
@click.argument("name")
@click.argument("direction", type=click.Choice(["a_to_b", "b_to_a"]))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Folder for the re-directed checkpoint (replaced atomically if it exists).")
@click.option("--no-verify", is_flag=True, help="Load a checkpoint folder without sha256 checks (only one you made).")
def cyclegan_direction_command(name, direction, out, no_verify) -> None:
    """Save the CycleGAN NAME (a pretrained name or checkpoint folder) with translate running DIRECTION."""
    import genzoo
    from genzoo import ModelCard
    from genzoo.plugin import CapabilityError

    model = genzoo.load(name, device="cpu", verify=not no_verify)
    if model.spec.name != "cyclegan":
        raise CapabilityError(f"{model.name!r} is not a CycleGAN: only cyclegan checkpoints have two directions")
    config = model.config
    turning = direction != config.direction
    values = config.hyperparameters() | {"direction": direction, "data": config.source if turning else config.data,
                                         "source": config.data if turning else config.source}
    turned = genzoo.create("cyclegan", **values)
    turned.load_state_dict(model.state_dict())
    card = ModelCard(name=Path(out).name or "cyclegan", tags=["cyclegan", direction],
                     description=f"{name} with translate running {direction} (the same weights)")
    path = genzoo.save_pretrained(turned, out, card=card)
    click.echo(f"wrote {path}: translate runs {direction}")
