"""One timed RealNVP training run of normflows or zuko, for benchmarks/realnvp_throughput.py.

Runs in the bench venv (torch + normflows + zuko, never genzoo). Prints one JSON line: ms per step
over the timed steps, the mean loss and versions. See realnvp_throughput.py for what is timed.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def build(side: str, features: int, couplings: int, hidden: int):
    """The library's own RealNVP of `couplings` affine couplings, nets features/2 -> hidden x 2 -> features;
    returns (parameters, loss function of a batch)."""
    if side == "normflows":
        import normflows as nf

        flows = []
        for _ in range(couplings):  # the library's documented RealNVP block: split, coupling, merge, then swap halves
            flows.append(nf.flows.AffineCouplingBlock(nf.nets.MLP([features // 2, hidden, hidden, features],
                                                                  init_zeros=True)))
            flows.append(nf.flows.Permute(features, mode="swap"))
        model = nf.NormalizingFlow(nf.distributions.DiagGaussian(features, trainable=False), flows)
        return model.parameters(), model.forward_kld
    if side == "zuko":
        import zuko

        flow = zuko.flows.RealNVP(features, transforms=couplings, hidden_features=(hidden, hidden))
        return flow.parameters(), lambda x: -flow().log_prob(x).mean()
    raise SystemExit(f"unknown side {side!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("side", choices=["normflows", "zuko"])
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--couplings", type=int, required=True)
    parser.add_argument("--hidden", type=int, required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--warmup-steps", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = batches(args)
    parameters, loss_of = build(args.side, args.features, args.couplings, args.hidden)
    result = train_and_time(parameters, loss_of, data, args.warmup_steps)
    print(json.dumps(result | {"version": __import__(args.side).__version__}))


def train_and_time(parameters, loss_of, data: torch.Tensor, warmup_steps: int) -> dict:
    """Adam (lr 1e-3) over the batches; the clock runs from the end of the warm-up steps to the last update.
    Shared by every side, genzoo's included, so the loops are identical."""
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    losses = []
    for index, x in enumerate(data):
        if index == warmup_steps:
            began = time.perf_counter()
        loss = loss_of(x)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    seconds = time.perf_counter() - began
    return {"ms_per_step": 1000 * seconds / (len(data) - warmup_steps), "loss": float(torch.stack(losses).mean()),
            "torch": torch.__version__, "threads": torch.get_num_threads()}


def batches(args: argparse.Namespace) -> torch.Tensor:
    """The same correlated Gaussian batches on every side (same torch, same seed): x = noise @ mixing."""
    generator = torch.Generator().manual_seed(args.seed)
    mixing = torch.randn(args.features, args.features, generator=generator) / args.features ** 0.5
    noise = torch.randn(args.steps, args.batch_size, args.features, generator=generator)
    return noise @ mixing


if __name__ == "__main__":
    main()
