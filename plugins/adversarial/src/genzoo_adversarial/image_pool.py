"""CycleGAN's image pool (Shrivastava et al. 2017): the discriminator sees a history of fakes, not only the latest.

The pool holds up to `size` earlier fakes. Each new fake is stored while the pool fills; once it is
full, each new fake is, with probability 1/2, swapped for a stored one (the stored one goes to the
discriminator, the new one takes its place), else passed on as it is. The pool lives in two tensors
of the training step's state (`images`, and `count`, how many slots are filled), so a checkpoint
saves it and a resumed run continues with the same history; the coin flips and slots come from the
generator given (torch's global one in training, which the trainer seeds and restores).
"""

from __future__ import annotations

import torch


def empty_pool(size: int, shape: tuple[int, ...], device: torch.device) -> dict[str, torch.Tensor]:
    """An empty pool of `size` images shaped `shape`."""
    return {"images": torch.zeros(size, *shape, device=device), "count": torch.zeros((), dtype=torch.long, device=device)}


def query_pool(pool: dict[str, torch.Tensor], fakes: torch.Tensor,
               generator: torch.Generator | None = None) -> torch.Tensor:
    """The fakes the discriminator trains on, one per new fake; updates `pool` in place. A size-0 pool
    returns the fakes unchanged."""
    images, size = pool["images"], len(pool["images"])
    if size == 0:
        return fakes
    fakes = fakes.detach()
    chosen = []
    count = int(pool["count"])  # read once: a per-image read of a device tensor would sync every image
    for fake in fakes:
        if count < size:
            images[count] = fake
            count += 1
            chosen.append(fake)
        elif torch.rand((), generator=generator).item() < 0.5:
            slot = int(torch.randint(size, (), generator=generator))
            chosen.append(images[slot].clone())
            images[slot] = fake
        else:
            chosen.append(fake)
    pool["count"].fill_(count)
    return torch.stack(chosen)
