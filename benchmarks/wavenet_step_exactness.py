"""Which per-row computations of WaveNet's queued step reproduce the full forward bit for bit on this CPU
(the measurements behind `autoregressive/wavenet.py`'s module docstring).

1. `F.linear` (MKL sgemm through addmm): rows of a GEMM over M = 4, 5 or 8 rows against the same rows
   inside a GEMM over 4, 64 or 4,096 rows, per (input features K, output features N). `.` = every trial
   identical, `X` = some row differs in some bit.
2. Element-wise tanh and sigmoid: a chunk of c elements computed alone against the same elements inside
   a tensor of 65,536 (the chunk then sits away from the big tensor's vectorised tail).

    OMP_NUM_THREADS=1 python benchmarks/wavenet_step_exactness.py
"""

from __future__ import annotations

import click
import torch
from torch.nn import functional as F

WIDTHS_K = (2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24, 32, 48, 64, 128)
WIDTHS_N = (2, 3, 4, 6, 8, 10, 12, 16, 24, 32, 64, 256)


def linear_rows_agree(k: int, n: int) -> bool:
    weight, bias = torch.randn(n, k), torch.randn(n)
    agree = True
    for big in (4, 64, 4096):
        x = torch.randn(big, k)
        full = F.linear(x, weight, bias)
        for rows in (4, 5, 8):
            index = torch.randperm(big)[:rows]
            agree &= torch.equal(F.linear(x[index].contiguous(), weight, bias), full[index])
    return agree


def chunks_agree(function, size: int) -> bool:
    x = torch.randn(1 << 16) * 3
    full = function(x)
    return all(torch.equal(function(x[i:i + size].clone()), full[i:i + size]) for i in range(0, 4000, size))


@click.command()
def main():
    torch.manual_seed(0)
    click.echo(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    click.echo("F.linear, rows alone (4, 5, 8) vs inside a bigger GEMM; columns N = " + " ".join(map(str, WIDTHS_N)))
    for k in WIDTHS_K:
        click.echo(f"K={k:4d} " + "".join("." if linear_rows_agree(k, n) else "X" for n in WIDTHS_N))
    for function in (torch.tanh, torch.sigmoid):
        sizes = (1, 3, 7, 16, 32, 48, 64)
        cells = " ".join(f"{size}:{'same' if chunks_agree(function, size) else 'DIFFERS'}" for size in sizes)
        click.echo(f"{function.__name__:8s} chunk alone vs inside 65,536 elements: {cells}")


if __name__ == "__main__":
    main()
