"""How much a slow plugin costs `genzoo list`, with the spec cache.

Installs (into a temporary folder put on PYTHONPATH) a plugin distribution whose module sleeps
10 s on import, then times `genzoo list` as a subprocess: without the plugin, its first call with
the plugin (cold cache: the import is paid once), its next calls (the specs come from the cache,
the plugin is not imported), and, for contrast, a call with the cache switched off.

    python benchmarks/plugin_list_cache.py [--sleep 10] [--repeats 3]

Target: second call with the plugin within 1.5x of `genzoo list` without it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLUGIN = '''"""A plugin whose import takes {sleep} s (a heavy dependency, a slow disk)."""
import time

from genzoo import DatasetSpec, hookimpl

time.sleep({sleep})
genzoo_hook_api = 2


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name="sleepy-moons", target="genzoo.data.toy2d:moons", description="From a slow plugin.")]
'''


def install_sleepy_plugin(site: Path, sleep: float) -> None:
    """A minimal installed distribution: the module plus a dist-info with its entry point."""
    (site / "genzoo_sleepy.py").write_text(PLUGIN.format(sleep=sleep))
    info = site / "genzoo_sleepy-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: genzoo-sleepy\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[genzoo]\nsleepy = genzoo_sleepy\n")
    (info / "RECORD").write_text("")


def time_list(genzoo: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([genzoo, "list"], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"genzoo list failed: {result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sleep", type=float, default=10.0, help="Seconds the plugin sleeps on import.")
    parser.add_argument("--repeats", type=int, default=3, help="Timed calls per warm row (median reported).")
    args = parser.parse_args()
    genzoo = shutil.which("genzoo") or str(Path(sys.executable).with_name("genzoo"))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "site"
        site.mkdir()
        install_sleepy_plugin(site, args.sleep)
        base = {**os.environ, "GENZOO_CACHE": str(root / "cache")}
        base.pop("GENZOO_PLUGINS", None)
        without = {**base, "PYTHONPATH": ""}
        with_plugin = {**base, "PYTHONPATH": str(site)}

        time_list(genzoo, without)  # fill the cache for the first-party plugins: both warm rows start warm
        first = time_list(genzoo, with_plugin)
        # Interleaved, so that load from other processes on the machine hits both warm rows alike.
        pairs = [(time_list(genzoo, without), time_list(genzoo, with_plugin)) for _ in range(args.repeats)]
        rows = [
            ("without the plugin", statistics.median(a for a, _ in pairs)),
            ("with it, first call (cold cache)", first),
            ("with it, second call", statistics.median(b for _, b in pairs)),
            ("with it, GENZOO_CACHE=off", time_list(genzoo, {**with_plugin, "GENZOO_CACHE": "off"})),
        ]

    print(f"`genzoo list` wall time; plugin sleeps {args.sleep:g} s on import; warm rows: medians of {args.repeats} "
          "interleaved calls")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:7.2f} s")
    ratio = rows[2][1] / rows[0][1]
    verdict = "met" if ratio <= 1.5 else "MISSED"
    print(f"{'ratio second / without'.ljust(width)}  {ratio:7.2f} x  (target <= 1.5 x: {verdict})")


if __name__ == "__main__":
    main()
