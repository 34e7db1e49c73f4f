"""`folder:PATH`: train on a folder of your own images, no plugin needed.

Layouts (hidden files and files that are not .png/.jpg/.jpeg/.bmp are ignored):

    PATH/*.png                      unlabelled images
    PATH/<class>/*.png              labelled: sorted subfolder names are classes 0, 1, ...
    PATH/train/..., PATH/test/...   either layout inside each; the splits are used as given
    PATH/trainA/, PATH/trainB/      unpaired domains (CycleGAN's layout), with optional testA/, testB/:
                                    an UnpairedDataset whose streams "a", "b" are shuffled independently

Without a `test/` folder, a fixed 10% of the images (`holdout`, drawn by genzoo.data.holdout's
fixed seed) form the test split. A single class subfolder carries no label. All images must share
one size and mode (grey or RGB); they are read as 256 integer levels, so the views of MNIST apply
(`--set data.view=binarized`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import torch
from pydantic import validate_call

from genzoo.data.base import ImageDataset, Split, View
from genzoo.data.fields import UnpairedDataset
from genzoo.data.holdout import DEFAULT_HOLDOUT, HoldoutFraction, holdout_indices
from genzoo.errors import GenzooError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
# Pillow modes genzoo reads, and the mode each is read as (1-bit and palette images are widened).
MODES = {"1": "L", "L": "L", "P": "RGB", "RGB": "RGB"}
NUM_LEVELS = 256
DOMAIN_FOLDER = re.compile(r"train(?P<domain>[A-Z])")


@validate_call
def folder_dataset(path: str, split: Split = "train", *, view: View = "continuous", seed: int = 0,
                   holdout: HoldoutFraction = DEFAULT_HOLDOUT) -> ImageDataset | UnpairedDataset:
    """The images under `path` for `split`, seen through `view`; `seed` drives random views."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise GenzooError(f"folder:{path}: {'not a folder' if root.exists() else 'no such folder'}")
    options = {"split": split, "view": view, "seed": seed, "holdout": holdout}
    domains = [match["domain"] for e in _entries(root) if e.is_dir() and (match := DOMAIN_FOLDER.fullmatch(e.name))]
    if not domains:
        return _image_dataset(root, _layout(root), name=f"folder:{path}", **options)
    if len(domains) < 2:
        raise GenzooError(f"{root} has train{domains[0]}/ alone: unpaired data need two domains, trainA/ and trainB/")
    _refuse_others(root, {f"{part}{domain}" for part in ("train", "test") for domain in domains})
    streams = {domain.lower(): _image_dataset(root, _parts(root / f"train{domain}", root / f"test{domain}"),
                                              name=f"folder:{path} domain {domain}", **options)
               for domain in domains}
    return UnpairedDataset(streams, name=f"folder:{path}", split=split)


def _image_dataset(root: Path, parts: dict[str, dict[str, list[Path]]], *, split: Split, view: View, seed: int,
                   holdout: float, name: str) -> ImageDataset:
    classes = _class_names(root, parts)
    files, labels = [], []
    for part in parts.values():
        for class_name, paths in part.items():
            files += paths
            labels += [classes.index(class_name) if classes else 0] * len(paths)
    levels = torch.from_numpy(_read_images(tuple(files), tuple(_stamp(f) for f in files)))
    y = torch.tensor(labels, dtype=torch.int64) if classes else None
    chosen = _split_indices(parts, split, holdout)
    return ImageDataset(levels[chosen], None if y is None else y[chosen], num_levels=NUM_LEVELS,
                        num_classes=len(classes) or None, class_names=tuple(classes) or None, view=view, seed=seed,
                        name=name, split=split)


def _layout(root: Path) -> dict[str, dict[str, list[Path]]]:
    """{"train": ..., "test": ...} or {"all": ...}, each {class name or "": image files}."""
    train, test = root / "train", root / "test"
    if not train.is_dir():
        if test.is_dir():
            raise GenzooError(f"{root} has a test/ folder but no train/ folder")
        return {"all": _scan(root)}
    _refuse_others(root, {"train", "test"})
    return _parts(train, test)


def _parts(train: Path, test: Path) -> dict[str, dict[str, list[Path]]]:
    return {"train": _scan(train), **({"test": _scan(test)} if test.is_dir() else {})}


def _refuse_others(root: Path, expected: set[str]) -> None:
    others = sorted(e.name for e in _entries(root) if e.is_dir() and e.name not in expected)
    if others:
        raise GenzooError(f"{root} has {', '.join(o + '/' for o in others)} beside {', '.join(sorted(expected))}: "
                          "put class folders inside those")


def _entries(folder: Path) -> list[Path]:
    return [entry for entry in sorted(folder.iterdir()) if not entry.name.startswith(".")]


def _images(folder: Path) -> list[Path]:
    return [e for e in _entries(folder) if e.is_file() and e.suffix.lower() in IMAGE_SUFFIXES]


def _scan(folder: Path) -> dict[str, list[Path]]:
    images, subfolders = _images(folder), [e for e in _entries(folder) if e.is_dir()]
    if images and subfolders:
        raise GenzooError(f"{folder} holds both images and subfolders ({subfolders[0].name}/): put every image in a "
                          "class subfolder, or none")
    if images:
        return {"": images}
    if not subfolders:
        raise GenzooError(f"{folder} has no images ({', '.join(IMAGE_SUFFIXES)})")
    classes = {sub.name: _images(sub) for sub in subfolders}
    empty = [name for name, files in classes.items() if not files]
    if empty:
        raise GenzooError(f"class folder {folder / empty[0]} has no images ({', '.join(IMAGE_SUFFIXES)})")
    return classes


def _class_names(root: Path, parts: dict[str, dict[str, list[Path]]]) -> list[str]:
    """Sorted class names over every split ([] when unlabelled); splits must agree on labelling."""
    labelled = {split: "" not in part for split, part in parts.items()}
    if len(set(labelled.values())) > 1:
        raise GenzooError(f"{root}: train/ and test/ must both hold class subfolders, or both hold images directly")
    names = sorted({name for part in parts.values() for name in part} - {""})
    return names if len(names) >= 2 else []


def _split_indices(parts: dict[str, dict[str, list[Path]]], split: Split, holdout: float) -> torch.Tensor:
    """Positions of `split` among all the parts' files, concatenated in `parts` order: the train/ or test/
    part itself when both are given, else the fixed holdout of the one part (PATH, or train/ alone)."""
    sizes = {name: sum(len(files) for files in part.values()) for name, part in parts.items()}
    if "test" in parts:
        start = sizes["train"] if split == "test" else 0
        return torch.arange(start, start + sizes[split])
    return holdout_indices(sum(sizes.values()), split, holdout)


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


@functools.lru_cache(maxsize=4)
def _read_images(files: tuple[Path, ...], stamps: tuple[tuple[int, int], ...]) -> np.ndarray:
    """uint8 (n, channels, height, width); `stamps` make a changed file a new cache key."""
    from PIL import Image

    arrays, first = [], None
    for path in files:
        try:
            with Image.open(path) as image:
                mode = MODES.get(image.mode)
                if mode is None:
                    raise GenzooError(f"{path} has mode {image.mode}: genzoo reads grey (L) or colour (RGB) images; "
                                      "convert it")
                array = np.asarray(image.convert(mode))
        except (OSError, ValueError, SyntaxError) as error:
            raise GenzooError(f"cannot read image {path}: {error}") from None
        if first is None:
            first = (path, mode, array.shape)
        elif (mode, array.shape) != first[1:]:
            raise GenzooError(f"images differ: {first[0]} is {_describe(*first[1:])} but {path} is "
                              f"{_describe(mode, array.shape)}; make them all one size and mode")
        arrays.append(array)
    stacked = np.stack(arrays)
    return stacked[:, None] if stacked.ndim == 3 else stacked.transpose(0, 3, 1, 2).copy()


def _describe(mode: str, shape: tuple[int, ...]) -> str:
    return f"{shape[1]}x{shape[0]} {'grey' if mode == 'L' else 'RGB'}"
