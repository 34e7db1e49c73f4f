"""Procedural voxel shapes: 3D-GAN's task (ShapeNet objects at 64^3) made small enough to train on a CPU.

Each example is a binary occupancy grid (1, S, S, S) of one of three solids, drawn with a random size,
position and orientation:

- sphere: radius r;
- box: half-extents (a, b, c) along its own axes, turned by a uniformly random rotation;
- torus: ring radius R and tube radius t around its own z axis, that axis turned uniformly.

Coordinates are in units of the grid side: voxel (i, j, k) has its centre at ((i, j, k) + 0.5) / S, so
the grid is the unit cube whatever S is and the same parameters draw the same solid at 8^3 or 16^3. A
voxel is occupied when its centre lies inside the solid. Every solid lies wholly inside the grid (its
centre is drawn where its extent along each axis fits), so no example is cut by the border.

Example i of a split depends only on (seed, split, i): its parameters come from a generator seeded by
those three numbers, so the dataset needs no file, an example never changes with the split's size,
and train and test never share a stream. `render` (parameters -> occupancy) is also what the
`shape-acc` metric fits to samples (shape_fit.py).
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import PositiveInt, validate_call

from genzoo.plugin import DataSpec, GenzooDataset

CLASSES = ("sphere", "box", "torus")
SPHERE, BOX, TORUS = range(3)
Split = Literal["train", "test"]
DEFAULT_SIZE = {"train": 10_000, "test": 2_000}
TINY_SIZE = {"train": 256, "test": 64}
# Parameter ranges, in units of the grid side, chosen so that the smallest solid still covers whole voxels at
# 16^3 (a torus tube of radius 0.07 is 1.1 voxels) and the largest fits inside the grid in any orientation.
SPHERE_RADIUS = (0.15, 0.35)
BOX_HALF_EXTENT = (0.1, 0.25)
TORUS_RING = (0.18, 0.3)
TORUS_TUBE = (0.07, 0.12)
MARGIN = 0.02  # kept free between a solid's extent and the grid's border
# Example i's generator seed (2 seed + split) * SEED_STRIDE + i: distinct for every (split, index) up to a billion
# examples per split for seeds 0 and 1. torch's CPU generator keeps the seed's low 32 bits, so from seed 2 the
# seeds wrap modulo 2^32; no collision was found for seeds below 2,000 (review check), but none is ruled out.
SEED_STRIDE = 1_000_000_007
CHUNK = 512  # examples rendered at once (bounded memory)


def voxel_centres(side: int) -> torch.Tensor:
    """(side^3, 3) centres of the voxels of a side^3 grid in the unit cube, in the order of a (d, h, w) reshape."""
    axis = (torch.arange(side, dtype=torch.float32) + 0.5) / side
    return torch.cartesian_prod(axis, axis, axis)


def render(kind: int, centre: torch.Tensor, rotation: torch.Tensor, sizes: torch.Tensor, side: int) -> torch.Tensor:
    """Occupancy (..., side^3) bool of solids of one class, with leading batch dimensions `...`.

    centre (..., 3); rotation (..., 3, 3) whose columns are the solid's own axes; sizes (..., 3): the sphere's
    radius in sizes[..., 0], the box's half-extents, or the torus's ring and tube radii in sizes[..., :2]. A voxel
    is occupied when its centre is inside the solid.
    """
    batch = centre.shape[:-1]
    axes = rotation.reshape(-1, 3, 3)
    # One matrix product for every solid at once (voxels x solids x axes), the fast layout on a CPU.
    projected = voxel_centres(side).to(centre) @ axes.permute(1, 0, 2).reshape(3, -1)
    offset = torch.einsum("nk,nkj->nj", centre.reshape(-1, 3), axes).reshape(-1)
    x, y, z = (projected - offset).reshape(side**3, -1, 3).unbind(-1)  # (side^3, solids) along the solid's axes
    a, b, c = sizes.reshape(-1, 3).unbind(-1)
    if kind == SPHERE:
        inside = x.square() + y.square() + z.square() <= a.square()
    elif kind == BOX:
        inside = (x.abs() <= a) & (y.abs() <= b) & (z.abs() <= c)
    else:
        ring = (x.square() + y.square()).sqrt() - a
        inside = ring.square() + z.square() <= b.square()
    return inside.t().reshape(*batch, side**3)


def extent(kind: int, rotation: torch.Tensor, sizes: torch.Tensor) -> torch.Tensor:
    """(3,) half-width of the solid along each grid axis (its axis-aligned bounding box), for placing it."""
    if kind == SPHERE:
        return sizes[0].expand(3)
    if kind == BOX:
        return rotation.abs() @ sizes
    axis = rotation[:, 2]  # the torus's own z axis, in grid coordinates
    return sizes[0] * (1 - axis.square()).clamp_min(0).sqrt() + sizes[1]


def random_rotation(generator: torch.Generator) -> torch.Tensor:
    """A uniformly random rotation (3, 3): the matrix of a normalised Gaussian quaternion."""
    w, x, y, z = torch.nn.functional.normalize(torch.randn(4, generator=generator), dim=0).tolist()
    return torch.tensor([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                         [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                         [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def _between(low_high: tuple[float, float], generator: torch.Generator, n: int = 1) -> torch.Tensor:
    low, high = low_high
    return low + (high - low) * torch.rand(n, generator=generator)


def example_parameters(seed: int, split: Split, index: int) -> tuple[int, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(class, centre (3,), rotation (3, 3), sizes (3,)) of example `index`, from its own seeded generator."""
    generator = torch.Generator().manual_seed((2 * seed + (split == "test")) * SEED_STRIDE + index)
    kind = int(torch.randint(len(CLASSES), (1,), generator=generator))
    rotation = random_rotation(generator)
    sizes = torch.zeros(3)
    if kind == SPHERE:
        rotation = torch.eye(3)
        sizes[0] = _between(SPHERE_RADIUS, generator)[0]
    elif kind == BOX:
        sizes = _between(BOX_HALF_EXTENT, generator, 3)
    else:
        sizes[0], sizes[1] = _between(TORUS_RING, generator)[0], _between(TORUS_TUBE, generator)[0]
    reach = extent(kind, rotation, sizes) + MARGIN
    centre = reach + (1 - 2 * reach).clamp_min(0) * torch.rand(3, generator=generator)
    return kind, centre, rotation, sizes


class VoxelShapes(GenzooDataset):
    """Binary occupancy grids (1, side, side, side) with class labels; examples stored as bools, served as float."""

    def __init__(self, occupancy: torch.Tensor, labels: torch.Tensor, *, name: str, split: Split):
        super().__init__(name=name, split=split)
        self.occupancy, self.y = occupancy, labels
        self.data_spec = voxel_spec(occupancy.shape[-1])

    def __len__(self) -> int:
        return len(self.occupancy)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.occupancy[index].float(), self.y[index]

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.occupancy.float(), self.y


def voxel_spec(side: int) -> DataSpec:
    """The DataSpec of one example: a binary (1, side, side, side) grid, labelled by CLASSES."""
    return DataSpec(shape=(1, side, side, side), kind="binary", value_range=(0.0, 1.0), num_classes=len(CLASSES),
                    class_names=CLASSES)


def build(split: Split, n: int, side: int, seed: int, name: str) -> VoxelShapes:
    """Examples 0..n-1 of a split, rendered class by class in chunks."""
    parameters = [example_parameters(seed, split, index) for index in range(n)]
    kinds = torch.tensor([p[0] for p in parameters])
    centres, rotations, sizes = (torch.stack([p[k] for p in parameters]) for k in (1, 2, 3))
    occupancy = torch.zeros(n, side**3, dtype=torch.bool)
    for kind in range(len(CLASSES)):
        for chunk in (kinds == kind).nonzero()[:, 0].split(CHUNK):
            occupancy[chunk] = render(kind, centres[chunk], rotations[chunk], sizes[chunk], side)
    occupancy = occupancy.reshape(n, 1, side, side, side)
    return VoxelShapes(occupancy, kinds, name=name, split=split)


@validate_call
def voxel_shapes(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> VoxelShapes:
    """16^3 spheres, boxes and tori (10,000 train / 2,000 test by default; n=N for another size)."""
    return build(split, n or DEFAULT_SIZE[split], 16, seed, "voxel-shapes")


@validate_call
def voxel_shapes_tiny(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> VoxelShapes:
    """The same solids on an 8^3 grid, 256 train / 64 test: for tests and the conformance kit."""
    return build(split, n or TINY_SIZE[split], 8, seed, "voxel-shapes-tiny")

