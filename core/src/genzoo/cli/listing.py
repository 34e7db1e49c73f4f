"""`genzoo list` and `genzoo info`: what is installed, without importing model code."""

from __future__ import annotations

import json

import click

from genzoo.capabilities import ALL_CAPABILITIES
from genzoo.cli.table import format_table


def _row(registry, name: str) -> dict:
    from genzoo.specs import PretrainedSpec

    spec = registry.model(name)
    arch = registry.architecture_of(spec)
    return {
        "name": name,
        "kind": "pretrained" if isinstance(spec, PretrainedSpec) else "architecture",
        "architecture": arch.name,
        "family": arch.family,
        "capabilities": [c.value for c in arch.capabilities],
        "samplers": registry.samplers_for(arch),
        "dataset": spec.dataset if isinstance(spec, PretrainedSpec) else None,
        "metrics": spec.metrics if isinstance(spec, PretrainedSpec) else {},
        "plugin": spec.plugin,
        "description": spec.description,
    }


@click.command("list")
@click.argument("pattern", default="*")
@click.option("--family", help="Only models of this family, e.g. latent-variable.")
@click.option("--pretrained/--architectures", "pretrained", default=None, help="Only pretrained models / only architectures.")
@click.option("--capability", type=click.Choice(ALL_CAPABILITIES), help="Only models with this capability.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(pattern: str, family: str | None, pretrained: bool | None, capability: str | None, as_json: bool) -> None:
    """List registered models whose name matches PATTERN (fnmatch, e.g. '*vae*')."""
    from genzoo.registry import get_registry

    registry = get_registry()
    for problem in registry.conflicts():
        click.echo(f"genzoo: warning: {problem}", err=True)
    rows = [_row(registry, name) for name in registry.list_models(pattern, family, pretrained, capability)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no models match; `genzoo plugins` shows which families are installed", err=True)
        return
    click.echo(
        format_table(
            ["NAME", "KIND", "FAMILY", "CAPABILITIES", "DESCRIPTION"],
            [[r["name"], r["kind"], r["family"], ",".join(r["capabilities"]), r["description"]] for r in rows],
        )
    )


def _sampling_line(sampling) -> str:
    options = " ".join(f"--set {k}={v}" for k, v in sampling.options.items())
    return f"--sampler {sampling.sampler} {options}".strip() + " (used when you name no sampler)"


@click.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info_command(name: str, as_json: bool) -> None:
    """Show what NAME is: architecture, family, capabilities, samplers, hub coordinates, metrics."""
    import genzoo

    details = genzoo.info(name)
    if as_json:
        click.echo(details.model_dump_json(indent=2))
        return
    arch, card = details.architecture, details.pretrained
    lines = [
        ("name", details.name),
        ("kind", details.kind),
        ("architecture", arch.name),
        ("family", arch.family),
        ("plugin", f"{arch.plugin} ({arch.distribution})"),
        ("capabilities", ", ".join(c.value for c in arch.capabilities)),
        ("default sampler", arch.default_sampler),
        ("samplers", ", ".join(details.samplers)),
        ("trainers", ", ".join(arch.trainers) + " (the first is the default; genzoo train --trainer NAME)"
                     if arch.trainers else ""),
        ("card sampling", _sampling_line(card.sampling) if card is not None and card.sampling else ""),
        ("description", (card or arch).description),
    ]
    if card is not None:
        lines += [
            ("hub repo", f"{card.hub}/{card.repo_id}@{card.revision or 'unpublished'}"),
            ("dataset", card.dataset),
            ("license", card.license),
            *((f"metric {k}", f"{v:.4g}") for k, v in card.metrics.items()),
            ("recipe", card.recipe),
        ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        if value:
            click.echo(f"{key.ljust(width)}  {value}")
