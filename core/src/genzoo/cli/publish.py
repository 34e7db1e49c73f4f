"""`genzoo publish`: release a registry folder to a hub under one tag and pin the catalogs to it."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("publish")
@click.argument("registry", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("catalogs", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hub", "endpoint", help="Hub URL to push to (default: huggingface.co, or HF_ENDPOINT).")
@click.option("--as-hub", "recorded_hub",
              help="Hub URL written into the catalogs when --hub is a mirror of it (default: --hub).")
@click.option("--namespace", default="genzoo", show_default=True, help="Repos are NAMESPACE/FOLDER.")
@click.option("--tag", required=True, help="Immutable revision to create and pin, e.g. v0.2.0.")
@click.option("--token", envvar="HF_TOKEN", help="Write token (default: HF_TOKEN or `genzoo hub login`).")
def publish_command(registry: Path, catalogs: tuple[Path, ...], endpoint: str | None, recorded_hub: str | None,
                    namespace: str, tag: str, token: str | None) -> None:
    """Push every checkpoint folder of REGISTRY to NAMESPACE/FOLDER, tag it, and pin CATALOGS to the tag.

    CATALOGS are pretrained.json files (a family's, or core's); their entries named like a
    published folder get the hub, repo, tag and every file's sha256, e.g.

        genzoo publish registry core/src/genzoo/pretrained.json plugins/*/src/*/pretrained.json --tag v0.2.0
    """
    import os

    from genzoo.hub.guard import check_endpoint
    from genzoo.hub.release import check_tag, publish_registry
    from genzoo.specs import DEFAULT_HUB

    endpoint = check_endpoint(endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_HUB)
    recorded = check_endpoint(recorded_hub) if recorded_hub else endpoint
    check_tag(tag)
    publish_registry(registry, list(catalogs), endpoint=endpoint, recorded_hub=recorded, namespace=namespace, tag=tag,
                     token=token, echo=click.echo)
