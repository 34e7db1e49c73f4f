"""CPU seconds (process time, one thread) of NADE and MADE on MNIST-sized binary data: one training step
(forward, backward, Adam) at batch 100 and at the published recipes' sizes and batches (nade-mnist: 500
hidden units, batch 500; made-mnist: 4,000 hidden units, batch 100), and sampling 16 images with each sampler.

Process time, not wall time, so the numbers hold on a machine shared with other jobs. The naive sampler
runs one full forward per element, so its time is L = 784 times one full forward; by default that forward
is timed and multiplied (`--full-naive` samples for real instead, which takes minutes).

    OMP_NUM_THREADS=1 python benchmarks/autoregressive_cpu_cost.py
"""

from __future__ import annotations

import argparse
import time

import torch

import genzoo


def cpu_seconds(run, repeats: int) -> float:
    """Mean process time of `run()` over `repeats` calls after one warm-up call."""
    run()
    start = time.process_time()
    for _ in range(repeats):
        run()
    return (time.process_time() - start) / repeats


def training_step(model, x: torch.Tensor):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        (-model.log_prob(x).mean()).backward()
        optimizer.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--full-naive", action="store_true", help="Time the naive sampler end to end.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.bernoulli(torch.full((100, 1, 28, 28), 0.13))
    models = {"nade": genzoo.create("nade", hidden=500), "made": genzoo.create("made", hidden=(500,))}
    for name, model in models.items():
        step = cpu_seconds(training_step(model, x), args.repeats)
        print(f"{name}: training step (batch 100) {step:.3f} CPU-s; one epoch of 60,000 {step * 600:.0f} CPU-s")
    recipes = {"nade-mnist (500 hidden)": (genzoo.create("nade", hidden=500), 500),
               "made-mnist (4,000 hidden)": (genzoo.create("made", hidden=(4000,)), 100)}
    for name, (model, batch) in recipes.items():
        batch_x = torch.bernoulli(torch.full((batch, 1, 28, 28), 0.13))
        step = cpu_seconds(training_step(model, batch_x), args.repeats)
        print(f"{name}: training step (batch {batch}) {step:.3f} CPU-s; one epoch {step * 60_000 / batch:.0f} CPU-s")
    for name, model in models.items():
        model.eval()
        with torch.no_grad():
            sequence = torch.zeros(16, 784, dtype=torch.long)
            forward = cpu_seconds(lambda: model.element_log_probs(sequence), args.repeats)
            if args.full_naive:
                naive = cpu_seconds(lambda: model.sample(16, sampler="naive"), 1)
                how = "measured"
            else:
                naive, how = forward * 784, f"784 x one full forward of {forward:.4f}"
            line = f"{name}: 16 samples naive {naive:.1f} CPU-s ({how})"
            if getattr(model, "has_cache", False):
                cached = cpu_seconds(lambda: model.sample(16, sampler="cached"), args.repeats)
                line += f", cached {cached:.3f} CPU-s: {naive / cached:.0f}x"
            print(line)


if __name__ == "__main__":
    main()
