"""Why the transformer's KV-cache step is shaped as it is: which single-position computations reproduce the
full forward's rows bit for bit on this CPU (see genzoo_explicit_likelihood.autoregressive.attention).

Prints, for float32 on CPU with one thread: (1) how many positions a plain single-query attention over the
t + 1 cached keys gets wrong against row t of `scaled_dot_product_attention(is_causal=True)`; (2) the same for
the step's formulation (the query repeated to R rows, the whole buffer with a mask) for R = 1..4; (3) the row
counts M for which a Linear layer's rows differ from the same rows inside a large batch.

    OMP_NUM_THREADS=1 python benchmarks/sdpa_step_exactness.py
"""

import torch
from torch.nn import functional as F


def main() -> None:
    torch.manual_seed(0)
    n, heads, length, head_width = 2, 4, 785, 32
    q, k, v = torch.randn(3, n, heads, length, head_width).unbind(0)
    full = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    positions = range(0, length, 7)
    plain = sum(not torch.equal(F.scaled_dot_product_attention(q[:, :, t:t + 1], k[:, :, :t + 1], v[:, :, :t + 1]),
                                full[:, :, t:t + 1]) for t in positions)
    print(f"plain single-query step: {plain} of {len(positions)} positions differ from the causal forward")
    visible = torch.ones(length, length, dtype=torch.bool).tril()
    for rows in (1, 2, 3, 4):
        wrong = 0
        for t in positions:
            query = q[:, :, t:t + 1].expand(-1, -1, rows, -1).contiguous()
            step = F.scaled_dot_product_attention(query, k, v, attn_mask=visible[t:t + 1])[:, :, :1]
            wrong += not torch.equal(step, full[:, :, t:t + 1])
        print(f"query repeated to {rows} rows over the whole buffer with a mask: {wrong} of {len(positions)} differ")
    linear = torch.nn.Linear(128, 512)
    x = torch.randn(16 * 785, 128)
    with torch.no_grad():
        big = linear(x)
        differing = [m for m in (1, 2, 3, 4, 5, 8, 16, 17, 64, 785) if not torch.equal(linear(x[:m]), big[:m])]
    print(f"Linear rows that differ from a batch of {len(x)} when computed in batches of M: M = {differing}")


if __name__ == "__main__":
    main()
