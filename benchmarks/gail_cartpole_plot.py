"""Issue 16's GAIL picture: GAIL's training curve on CartPole-v1 and the returns of GAIL, BC and the expert.

    python benchmarks/gail_cartpole_plot.py GAIL_RUN BC_RUN [--out gail.png] [--n 100] [--seed 0]
        [--json returns.json]

Left: the mean environment return of the episodes each GAIL iteration played (the training log's
`discriminator/episode_return`; GAIL never trains on it), with the scripted expert's 500. Right: the
return of each of the n evaluation episodes, sorted, for GAIL and BC (sampled and greedy actions)
and the expert, all on the same reset seeds, computed by the functions behind `genzoo eval RUN
--metric episode-return --n N --seed S` (so the means equal that metric's). Printed (and written to
--json): mean, std and min per policy.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def training_curve(run: Path) -> tuple[list[int], list[float]]:
    """(steps, mean rollout return) from a GAIL run's metrics.jsonl."""
    steps, returns = [], []
    for line in (run / "train" / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if "discriminator/episode_return" in record:
            steps.append(record["step"])
            returns.append(record["discriminator/episode_return"])
    return steps, returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gail", type=Path, help="the GAIL run folder")
    parser.add_argument("bc", type=Path, help="the behaviour-cloning run folder (genzoo train gail --trainer bc)")
    parser.add_argument("--out", type=Path, default=Path("gail.png"))
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the per-episode returns here")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    import genzoo
    from genzoo_adversarial.episode_return import evaluation_seeds, expert_returns, policy_returns

    seeds = evaluation_seeds(args.seed, args.n)
    returns = {"expert": expert_returns(seeds)}
    for name, run in (("GAIL", args.gail), ("BC", args.bc)):
        model = genzoo.load(run).eval()
        for action in ("sampled", "greedy"):
            generator = torch.Generator().manual_seed(args.seed)  # as the metric seeds it
            returns[f"{name} ({action})"] = policy_returns(model, seeds, action == "greedy", generator)
    summary = {name: {"mean": float(values.mean()), "std": float(values.std(unbiased=False)),
                      "min": float(values.min()), "returns": values.tolist()} for name, values in returns.items()}
    for name, row in summary.items():
        print(f"{name:16s} {row['mean']:7.1f} +- {row['std']:5.1f}  min {row['min']:.0f}")

    figure, (curve, spread) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    steps, rollout = training_curve(args.gail)
    curve.plot(steps, rollout, color="tab:blue", label="GAIL rollouts (sampled actions)")
    curve.axhline(500, color="black", linestyle=":", label="expert (500)")
    curve.axhline(summary["BC (greedy)"]["mean"], color="tab:orange", linestyle="--",
                  label=f"BC, greedy, {args.n} episodes")
    curve.set(xlabel="GAIL iteration (training step)", ylabel="mean episode return", ylim=(0, 520),
              title="GAIL training on CartPole-v1")
    curve.legend(loc="lower right", fontsize=8)
    styles = {"expert": ("black", ":"), "GAIL (sampled)": ("tab:blue", "-"), "GAIL (greedy)": ("tab:blue", "--"),
              "BC (sampled)": ("tab:orange", "-"), "BC (greedy)": ("tab:orange", "--")}
    for name, values in returns.items():
        color, line = styles[name]
        spread.plot(sorted(values.tolist()), color=color, linestyle=line,
                    label=f"{name}: {summary[name]['mean']:.1f} +- {summary[name]['std']:.1f}")
    spread.set(xlabel=f"evaluation episode (sorted by return; same {args.n} seeds for all)", ylabel="return",
               ylim=(0, 520), title="Return per episode")
    spread.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(args.out)
    print(f"wrote {args.out}")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "seed": args.seed, "policies": summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
