"""Pre-LN transformer blocks with causal self-attention, computed whole (training) or one position at a
time against a key/value cache (sampling), with bit-identical results.

The full forward calls `scaled_dot_product_attention(is_causal=True)` on the whole sequence. A cached
step must produce, for its one new position t, exactly the numbers row t of that forward holds, or the
naive and cached samplers would drift apart. A plain single-query attention over the t + 1 cached keys
does not: on CPU its sums run over t + 1 terms where the forward's run over whole key blocks (masked
entries contributing exact zeros), and MKL's GEMM takes a different path for small row counts (measured
on torch 2.13: on an AMD EPYC and an earlier Intel host 1-3 query rows differed in the last bit and 4 or more
agreed with the forward's block of 256; on an Intel Xeon with AMX, 4 and 8 rows still differed with 2 threads,
16 agreed in every test).
So a step calls the same kernel on the same shapes the forward's row t sees:

- the query is repeated to `MIN_ROWS` (16) identical rows (row 0 is kept), and
- it attends over the whole preallocated key/value buffer of the sequence length, with a boolean mask
  that hides positions after t (the causal forward fills them with -inf too; masked blocks add zeros).

Linear layers (and so the whole block) likewise see at least `MIN_ROWS` rows: `pad_rows` repeats the
batch's last row before a step and the caller drops the extra rows afterwards. The cost is small: the
cache still turns each step into O(L d) work instead of a whole O(L^2 d + L d^2) forward.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

MIN_ROWS = 16  # fewer rows take another GEMM path whose rounding differs from the forward's (see above)


def pad_rows(x: torch.Tensor) -> torch.Tensor:
    """x (n, ...) with its last row repeated up to MIN_ROWS rows (unchanged when n >= MIN_ROWS)."""
    missing = MIN_ROWS - len(x)
    return x if missing <= 0 else torch.cat([x, x[-1:].expand(missing, *x.shape[1:])])


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t sees positions <= t."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (n, L, width) -> (n, L, width), every position at once."""
        n, length, width = x.shape
        query, key, value = self.qkv(x).view(n, length, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(query, key, value, is_causal=True)
        return self.out(attended.transpose(1, 2).reshape(n, length, width))

    def step(self, x: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, position: int,
             visible: torch.Tensor) -> torch.Tensor:
        """x (m, width) at `position`: writes its key and value into the buffers (m, heads, L, width / heads)
        and attends over them; `visible` (1, L) is True at positions <= `position`. m >= MIN_ROWS."""
        m, width = x.shape
        query, key, value = self.qkv(x).view(m, 3, self.heads, -1).unbind(1)
        keys[:, :, position] = key
        values[:, :, position] = value
        queries = query.unsqueeze(2).expand(-1, -1, MIN_ROWS, -1).contiguous()
        attended = F.scaled_dot_product_attention(queries, keys, values, attn_mask=visible)[:, :, 0]
        return self.out(attended.reshape(m, width))


class Block(nn.Module):
    """Pre-LN transformer block: x + attention(LN(x)), then x + MLP(LN(x)) (GELU, `expansion` x wide)."""

    def __init__(self, width: int, heads: int, expansion: int, dropout: float):
        super().__init__()
        self.attention_norm = nn.LayerNorm(width)
        self.attention = CausalSelfAttention(width, heads)
        self.mlp_norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, expansion * width), nn.GELU(), nn.Linear(expansion * width, width))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.attention_norm(x)))
        return x + self.dropout(self.mlp(self.mlp_norm(x)))

    def step(self, x: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, position: int,
             visible: torch.Tensor) -> torch.Tensor:
        """One position (m, width) through the block, with this block's key/value buffers."""
        x = x + self.attention.step(self.attention_norm(x), keys, values, position, visible)
        return x + self.mlp(self.mlp_norm(x))

    def residual_projections(self) -> tuple[nn.Linear, nn.Linear]:
        """The two layers whose outputs are added to the residual stream (GPT-2 scales their init)."""
        return self.attention.out, self.mlp[2]
