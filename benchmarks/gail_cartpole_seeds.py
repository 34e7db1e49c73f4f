"""GAIL vs behaviour cloning on CartPole-v1 over several seeds: train, then measure with `episode-return`.

    python benchmarks/gail_cartpole_seeds.py --trainer bc --seeds 0 1 2 3 4 --episodes 1 4 --root /tmp/gail-seeds
        [--steps 2000] [--set step.KEY=VALUE ...] [--json results.jsonl]

Each (episodes, seed) trains `genzoo train gail --trainer T --data cartpole-expert --set data.episodes=E
--set data.seed=S --set train.seed=S` into ROOT/T-eE-sS (so a seed changes both the expert's
trajectories and the initial weights) and is measured by the registered metric, as `genzoo eval RUN
--metric episode-return --n 100 --set action=A` would, for sampled and greedy actions. A folder that
already holds a finished run is measured without training again. Printed: one row per run, then mean
+- std over seeds per (trainer, episodes, action).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

BC_STEPS, GAIL_STEPS = 2000, 150


def finished(out: Path, steps: int) -> bool:
    state = out / "train" / "state" / "state.json"
    return state.is_file() and json.loads(state.read_text()).get("step") == steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainer", choices=("gail", "bc"), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--episodes", type=int, nargs="+", default=[1])
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--steps", type=int, help=f"default {BC_STEPS} for bc, {GAIL_STEPS} for gail")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="step.KEY=VALUE")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--n", type=int, default=100, help="evaluation episodes")
    parser.add_argument("--json", type=Path, help="append one JSON line per run here")
    args = parser.parse_args()

    from genzoo.cli.options import parse_assignments
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest
    from genzoo.training import train

    import genzoo

    steps = args.steps or (BC_STEPS if args.trainer == "bc" else GAIL_STEPS)
    step_options = {key.removeprefix("step."): value for key, value in parse_assignments(args.assignments).items()}
    rows = []
    for episodes in args.episodes:
        for seed in args.seeds:
            out = args.root / f"{args.trainer}-e{episodes}-s{seed}"
            if not finished(out, steps):
                train("gail", data="cartpole-expert", trainer=args.trainer, out=out, progress=False,
                      data_options={"episodes": episodes, "every": args.every, "seed": seed}, step=step_options,
                      train={"steps": steps, "seed": seed, "log_every": 10, "sample_every": None,
                             "checkpoint_every": steps})
            model = genzoo.load(out)
            for action in ("sampled", "greedy"):
                request = EvalRequest(data="cartpole-expert", n=args.n, seed=0, sampler_options={"action": action})
                values = {r.name: r.value for r in evaluate(model, "episode-return", request)}
                row = {"trainer": args.trainer, "episodes": episodes, "every": args.every, "seed": seed,
                       "steps": steps, "action": action, "step_options": step_options, "run": str(out),
                       "return": values["episode-return"], "std": values["episode-return-std"],
                       "expert": values["expert-episode-return"]}
                rows.append(row)
                print(f"{args.trainer:4s} episodes {episodes:2d} seed {seed} {action:7s} return "
                      f"{row['return']:6.1f} +- {row['std']:5.1f} (expert {row['expert']:.0f})", flush=True)
                if args.json:
                    with args.json.open("a") as file:
                        file.write(json.dumps(row) + "\n")
    print(f"\n{args.trainer}, every {args.every}th pair, {args.n} evaluation episodes; mean +- std over seeds")
    for episodes in args.episodes:
        for action in ("sampled", "greedy"):
            means = [r["return"] for r in rows if r["episodes"] == episodes and r["action"] == action]
            spread = statistics.pstdev(means) if len(means) > 1 else 0.0
            print(f"episodes {episodes:2d} {action:7s} {statistics.mean(means):6.1f} +- {spread:5.1f} over "
                  f"{len(means)} seeds: {', '.join(f'{m:.1f}' for m in means)}")


if __name__ == "__main__":
    main()
