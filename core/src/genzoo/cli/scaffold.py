"""`genzoo new-plugin NAME`: scaffold a third-party family package that works on first install.

The package is trainable out of the box (`genzoo train NAME-gaussian --data 8gaussians`) and
carries the conformance kit and a training test, so an author starts from something green.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import click

TEMPLATES = Path(__file__).parent / "templates" / "new_plugin"
# template file -> path in the new package ({module} is filled in)
LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "init.py.tmpl": "src/{module}/__init__.py",
    "plugin.py.tmpl": "src/{module}/plugin.py",
    "model.py.tmpl": "src/{module}/model.py",
    "training.py.tmpl": "src/{module}/training.py",
    "test_conformance.py.tmpl": "tests/test_conformance.py",
    "test_training.py.tmpl": "tests/test_training.py",
}


def scaffold(name: str, parent: Path) -> Path:
    """Write the package `genzoo-NAME` under `parent` and return its folder."""
    from genzoo import __version__
    from genzoo.errors import ConfigError, GenzooError
    from genzoo.hookspecs import HOOK_API_VERSION

    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        raise ConfigError(f"invalid plugin name {name!r}: use lowercase letters, digits and single dashes, e.g. 'my-flows'")
    root = parent / f"genzoo-{name}"
    if root.exists():
        raise GenzooError(f"{root} already exists; choose another name or remove it")
    values = {
        "name": name,
        "module": "genzoo_" + name.replace("-", "_"),
        "arch": f"{name}-gaussian",
        "genzoo_version": __version__,
        "hook_api": HOOK_API_VERSION,
    }
    for template, target in LAYOUT.items():
        path = root / target.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template((TEMPLATES / template).read_text()).substitute(values))
    return root


@click.command("new-plugin")
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Where to create the genzoo-NAME folder.")
def new_plugin_command(name: str, directory: Path) -> None:
    """Scaffold genzoo-NAME: a pip-installable family with one working architecture and tests."""
    root = scaffold(name, directory)
    click.echo(f"created {root}\nnext: pip install -e '{root}[test]' && (cd {root} && python -m pytest)\n"
               f"then: genzoo train {name}-gaussian --data 8gaussians --set train.steps=200 --out run")
