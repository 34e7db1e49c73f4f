"""What a run leaves for people to read: metrics.jsonl, loss.png and a progress bar.

metrics.jsonl has one JSON object per logged step; on resume, lines past the resumed step are
dropped so the log reads as one uninterrupted run. loss.png is redrawn from it at checkpoints.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from genzoo.atomic import write_bytes


class MetricsLog:
    def __init__(self, path: Path, *, resume_step: int | None):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is None:
            write_bytes(path, b"")
        elif path.exists():
            kept = [line for line in self.records() if line.get("step", 0) <= resume_step]
            write_bytes(path, "".join(json.dumps(r) + "\n" for r in kept).encode())

    def append(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plot_losses(records: list[dict[str, Any]], path: Path) -> None:
    """Draw every loss term (keys other than bookkeeping) against the step.

    The y axis is logarithmic only when every value is positive and they span over two decades
    (early losses dwarf late ones); NLLs can be negative, so otherwise it stays linear.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    bookkeeping = {"step", "epoch", "lr", "examples_per_s", "elapsed_s", "iteration"}
    keys = sorted({k for r in records for k, v in r.items()
                   if k not in bookkeeping and not k.startswith(("finish/", "lr/")) and isinstance(v, (int, float))})
    figure, axis = plt.subplots(figsize=(6, 4), dpi=100)
    values = [r[k] for r in records for k in keys if k in r]
    for key in keys:
        points = [(r.get("step", r.get("iteration")), r[key]) for r in records if key in r]
        axis.plot([p[0] for p in points], [p[1] for p in points], label=key)
    axis.set_xlabel("step")
    axis.set_ylabel("loss")
    if values and min(values) > 0 and max(values) / min(values) > 100:
        axis.set_yscale("log")
    axis.grid(alpha=0.3)
    if keys:
        axis.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    write_bytes(path, buffer.getvalue())


def progress_bar(total: int, initial: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, disable=not enabled, unit="step", dynamic_ncols=True, leave=True)
