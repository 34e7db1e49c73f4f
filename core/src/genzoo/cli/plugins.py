"""`genzoo plugins` and `genzoo doctor`: what is installed and what is broken."""

from __future__ import annotations

import json
import sys

import click

from genzoo.cli.table import format_table

# First-party families, so `genzoo plugins` can say what is not installed and how to get it.
FIRST_PARTY = ("explicit-likelihood", "latent-variable", "adversarial", "diffusion")


def _statuses():
    from genzoo.registry import get_registry

    return get_registry().statuses


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_command(as_json: bool) -> None:
    """List installed plugins with their state and what they register."""
    statuses = _statuses()
    rows = [
        {
            "name": s.name,
            "distribution": s.distribution,
            "version": s.version,
            "state": s.state,
            "models": s.count("genzoo_architectures") + s.count("genzoo_pretrained"),
            "samplers": s.count("genzoo_samplers"),
            "error": s.error,
        }
        for s in statuses
    ]
    installed = {s.name for s in statuses}
    missing = [f for f in FIRST_PARTY if f not in installed]
    if as_json:
        click.echo(json.dumps({"plugins": rows, "not_installed": missing}, indent=2))
        return
    click.echo(
        format_table(
            ["PLUGIN", "DISTRIBUTION", "VERSION", "STATE", "MODELS", "SAMPLERS", "ERROR"],
            [list(r.values()) for r in rows],
        )
    )
    for family in missing:
        click.echo(f"not installed: {family} (pip install genzoo-{family})")


def _checks(deep: bool = False) -> list[tuple[str, bool, str]]:
    """(check, ok, detail) for everything doctor inspects; `deep` also imports every spec's paths."""
    import torch

    from genzoo.errors import GenzooError
    from genzoo.hub.client import hub_location
    from genzoo.registry import get_registry

    registry = get_registry()
    checks = [("python", True, sys.version.split()[0]), ("torch", True, f"{torch.__version__}, cuda={torch.cuda.is_available()}")]
    for status in registry.statuses:
        ok = status.state in ("loaded", "disabled")
        detail = f"{status.distribution} {status.version}: {status.state}" + (f": {status.error}" if status.error else "")
        checks.append((f"plugin {status.name}", ok, detail))
    checks += [("name conflict", False, problem) for problem in registry.conflicts()]
    if deep:
        from genzoo.spec_checks import deep_problems

        problems = deep_problems(registry)
        checks += [(what, False, problem) for what, problem in problems]
        if not problems:
            checks.append(("specs", True, "every import path resolves and every spec matches its model class"))
    try:
        location = hub_location()
    except GenzooError as error:  # a hub URL genzoo refuses (ftp://, plain HTTP to another machine)
        checks.append(("hub", False, str(error)))
    else:
        checks.append(("hub", True, str(location) if location else
                       "each pretrained card's own hub (huggingface.co unless the card names another)"))
    return checks


@click.command("doctor")
@click.option("--deep", is_flag=True,
              help="Also import every model, trainer, sampler, dataset, metric and command path and check each "
                   "architecture's spec against its model class.")
def doctor_command(deep: bool) -> None:
    """Check the installation: plugins that failed to load, name conflicts, torch, the hub (--deep: every spec)."""
    checks = _checks(deep)
    click.echo(format_table(["CHECK", "OK", "DETAIL"], [[n, "ok" if ok else "FAIL", d] for n, ok, d in checks], max_width=200))
    failures = [name for name, ok, _ in checks if not ok]
    for name, ok, detail in checks:
        if not ok:  # in full: the table cuts long details, and the fix is at the end of the line
            click.echo(f"FAIL {name}: {detail}")
    if failures:
        click.echo(f"{len(failures)} problem(s): {', '.join(failures)}", err=True)
        sys.exit(1)
