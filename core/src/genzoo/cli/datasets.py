"""`genzoo datasets`: the registered datasets with their fields, splits and whether their data are here.

It reads the metadata each DatasetSpec declares (and asks a dataset's quick `missing` check), so it
builds no dataset and imports no torch: listing MNIST does not read its 60,000 images.
"""

from __future__ import annotations

import fnmatch
import json

import click

from genzoo.cli.table import format_table

OWN_DATA = "your own data: --data folder:PATH (a folder of images) or --data npz:FILE (arrays x [, y])"


def _missing(spec) -> str | None:
    """Why the dataset cannot be built here, from its plugin's check (a broken check is reported, not raised)."""
    if spec.missing is None:
        return None
    from genzoo.specs import load_object

    try:
        return load_object(spec.missing)()
    except Exception as error:  # noqa: BLE001 (a plugin's check must not break the listing)
        return f"its availability check {spec.missing} failed: {error}"


def _row(spec) -> dict:
    return {
        "name": spec.name,
        "fields": {name: field.model_dump(mode="json") for name, field in spec.fields.items()},
        "splits": spec.splits,
        "missing": _missing(spec),
        "plugin": spec.plugin,
        "distribution": spec.distribution,
        "description": spec.description,
    }


@click.command("datasets")
@click.argument("pattern", default="*")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def datasets_command(pattern: str, as_json: bool) -> None:
    """List registered datasets whose name matches PATTERN (fnmatch), with their fields and splits."""
    from genzoo.data.describe import describe_field
    from genzoo.registry import get_registry

    registry = get_registry()
    specs = [spec for name, spec in sorted(registry.datasets.items()) if fnmatch.fnmatchcase(name, pattern)]
    clashes = sorted(name for name in registry.datasets.conflicts if fnmatch.fnmatchcase(name, pattern))
    if not specs and not clashes and not any(char in pattern for char in "*?["):
        registry.datasets.get_spec(pattern, OWN_DATA)  # a plain name that matches nothing: suggest the closest
    rows = [_row(spec) for spec in specs]
    if as_json:
        click.echo(json.dumps({"datasets": rows, "name_clashes": clashes}, indent=2))
        return
    if not rows and not clashes:
        click.echo(f"no datasets match {pattern!r}; {OWN_DATA}", err=True)
        return
    table = []
    for spec, row in zip(specs, rows):
        fields = "; ".join(describe_field(name, field) for name, field in spec.fields.items()) or "(not declared)"
        splits = ", ".join(f"{split} {size:,}" for split, size in spec.splits.items())
        table.append([spec.name, fields, splits, "data missing (see below)" if row["missing"] else "ready",
                      spec.description])
    table += [[name, "", "", "name clash: see `genzoo doctor`", ""] for name in clashes]
    click.echo(format_table(["NAME", "FIELDS", "SPLITS", "STATUS", "DESCRIPTION"], table, max_width=70))
    for row in rows:
        if row["missing"]:
            click.echo(f"\n{row['name']}: {row['missing']}")
    click.echo(f"\n{OWN_DATA}")
