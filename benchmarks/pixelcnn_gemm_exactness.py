"""Why the PixelCNNs' GEMMs are padded as they are: for which row counts M and output widths N a float32 CPU
GEMM's rows differ from the same rows inside a large GEMM (see genzoo_explicit_likelihood.autoregressive.
masked_conv: the cached sampler computes one pixel or one row of each layer and must match the whole image).

Prints (1) the plain `rows @ weight` for M = 1..6, 28 and the widths N = 1..300 whose rows differ from a 2,352-row
GEMM's, and (2) the same through `masked_conv.affine` (rows padded to 4, bad widths padded to 12): none.

    OMP_NUM_THREADS=1 python benchmarks/pixelcnn_gemm_exactness.py
"""

import torch

from genzoo_explicit_likelihood.autoregressive.masked_conv import affine

ROWS = 784 * 3


def differing(compute, fan_in: int, widths) -> dict[int, list[int]]:
    """{N: [M whose rows differ]} over the widths, for slices of M = 1..6 and 28 rows at many offsets."""
    found = {}
    for width in widths:
        x, weight, bias = torch.randn(ROWS, fan_in), torch.randn(fan_in, width), torch.randn(width)
        full = compute(x, weight, bias)
        starts = range(0, ROWS - 28, 307)
        bad = [m for m in (1, 2, 3, 4, 5, 6, 28)
               if any(not torch.equal(compute(x[s:s + m], weight, bias), full[s:s + m]) for s in starts)]
        if bad:
            found[width] = bad
    return found


def main() -> None:
    torch.manual_seed(0)
    widths = range(1, 301)
    for fan_in in (5, 64, 200):
        plain = differing(lambda x, w, b: x @ w + b, fan_in, widths)
        few = [width for width, rows in plain.items() if max(rows) < 4]
        more = {width: rows for width, rows in plain.items() if max(rows) >= 4}
        print(f"fan_in {fan_in}, plain x @ w: {len(few)} of {len(widths)} widths differ for 1-3 rows only; "
              f"widths that differ at >= 4 rows too (row counts): {more}")
        print(f"fan_in {fan_in}, masked_conv.affine: {differing(affine, fan_in, widths) or 'none differ'}")


if __name__ == "__main__":
    main()
