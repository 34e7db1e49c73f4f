"""`npz:FILE`: train on arrays saved with `numpy.savez(FILE, x=..., y=...)`, no plugin needed.

Arrays: `x` (n, ...) required; `y` (n,) integer class labels, optional; `x_test` [and `y_test`]
optional, else a fixed 10% of `x` (`holdout`) is the test split. What x holds decides the data:

- uint8 of shape (n, H, W) or (n, C, H, W) with C in 1, 3: images of 256 levels, with the views of
  MNIST (`--set data.view=binarized`);
- any other integers: int64 level indices or token ids (levels = largest value + 1), never cast;
- floats: continuous data, in [0, 1] when every value lies there, else unbounded.

The file is read with allow_pickle=False: an array that needs pickle is refused, and so is any
other array name (a `labels` array would otherwise be ignored without a word).
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import numpy as np
import torch
from pydantic import validate_call

from genzoo.data.base import GenzooDataset, ImageDataset, Split, TensorDataset, View
from genzoo.data.holdout import DEFAULT_HOLDOUT, HoldoutFraction, holdout_indices
from genzoo.dataspec import DataSpec
from genzoo.errors import ConfigError, GenzooError

NUM_LEVELS = 256
ARRAYS = ("x", "y", "x_test", "y_test")


@validate_call
def npz_dataset(path: str, split: Split = "train", *, view: View | None = None, seed: int = 0,
                holdout: HoldoutFraction = DEFAULT_HOLDOUT) -> GenzooDataset:
    """The `split` of the arrays in `path`; `view` (images only) defaults to continuous, `seed` drives random views."""
    file = Path(path).expanduser()
    name = f"npz:{path}"
    arrays = _read(file, file.stat().st_mtime_ns if file.is_file() else 0)
    x, y = _split(arrays, split, holdout)
    # The spec comes from both splits, so that train and test data (and a model of either) agree on it.
    # Their extremes are taken array by array: concatenating the splits would copy all the data on every load.
    xs = [arrays[key] for key in ("x", "x_test") if key in arrays]
    num_classes = None
    if y is not None:
        num_classes = max(int(arrays[key].max()) for key in ("y", "y_test") if key in arrays) + 1
    labels = None if y is None else torch.from_numpy(y.astype(np.int64))
    if x.dtype == np.uint8 and (x.ndim == 3 or (x.ndim == 4 and x.shape[1] in (1, 3))):
        levels = torch.from_numpy((x if x.ndim == 4 else x[:, None]).copy())  # never a view of the cached arrays
        return ImageDataset(levels, labels, num_levels=NUM_LEVELS, num_classes=num_classes, view=view or "continuous",
                            seed=seed, name=name, split=split)
    if x.dtype.kind in "iub":
        _refuse_view(name, view, "levels", "integer")
        top = max(int(a.max()) for a in xs)
        spec = DataSpec(shape=x.shape[1:], kind="discrete", dtype="int64", value_range=(0, max(top, 1)),
                        levels=max(top, 1) + 1, num_classes=num_classes)
        return TensorDataset(torch.from_numpy(x.astype(np.int64)), labels, spec, name=name, split=split)
    _refuse_view(name, view, "continuous", "float")
    in_unit = all(a.min() >= 0 and a.max() <= 1 for a in xs)
    spec = DataSpec(shape=x.shape[1:], value_range=(0.0, 1.0) if in_unit else None, num_classes=num_classes)
    return TensorDataset(torch.from_numpy(x.astype(np.float32)), labels, spec, name=name, split=split)


@functools.lru_cache(maxsize=2)
def _read(file: Path, mtime_ns: int) -> dict[str, np.ndarray]:
    """Every array in `file`, checked; `mtime_ns` makes a rewritten file a new cache key."""
    name = f"npz:{file}"
    if not file.is_file():
        raise GenzooError(f"{name}: no such file")
    try:
        archive = np.load(file, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise GenzooError(f"{name}: not an .npz archive but one array; save with numpy.savez(FILE, x=..., y=...)")
        with archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise GenzooError(f"{name}: an array needs pickle (object dtype), which genzoo refuses; save numbers only") from None
        raise GenzooError(f"{name}: cannot read ({error})") from None
    except (OSError, zipfile.BadZipFile) as error:
        raise GenzooError(f"{name}: not an .npz archive ({error})") from None
    _check(name, arrays)
    return arrays


def _check(name: str, arrays: dict[str, np.ndarray]) -> None:
    if "x" not in arrays:
        raise GenzooError(f"{name}: no array named 'x' (found {', '.join(sorted(arrays)) or 'none'}); "
                          "save with numpy.savez(FILE, x=..., y=...)")
    unexpected = sorted(set(arrays) - set(ARRAYS))
    if unexpected:
        raise GenzooError(f"{name}: unexpected arrays {', '.join(unexpected)}; genzoo reads {', '.join(ARRAYS)}")
    for key in ("y_test", "x_test"):
        if key in arrays and key.removesuffix("_test") not in arrays:
            raise GenzooError(f"{name}: has {key!r} but no {key.removesuffix('_test')!r}")
    if ("y" in arrays) != ("y_test" in arrays) and "x_test" in arrays:
        raise GenzooError(f"{name}: give labels for both splits (y and y_test) or for neither")
    for key in ("x", "x_test"):
        if key in arrays:
            _check_values(name, key, arrays[key])
    if "x_test" in arrays:
        x, x_test = arrays["x"], arrays["x_test"]
        if x.shape[1:] != x_test.shape[1:] or (x.dtype.kind == "f") != (x_test.dtype.kind == "f"):
            raise GenzooError(f"{name}: x_test ({x_test.dtype} {x_test.shape[1:]}) does not match x ({x.dtype} {x.shape[1:]})")
    for x_key, y_key in (("x", "y"), ("x_test", "y_test")):
        if y_key in arrays:
            _check_labels(name, y_key, arrays[y_key], len(arrays[x_key]))


def _check_values(name: str, key: str, x: np.ndarray) -> None:
    if x.dtype.kind not in "iubf" or x.ndim < 1:
        raise GenzooError(f"{name}: {key!r} holds {x.dtype} {'values' if x.ndim else 'scalar'}; genzoo needs an array "
                          "of numbers with one row per example")
    if len(x) == 0:
        raise GenzooError(f"{name}: {key!r} has no examples")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise GenzooError(f"{name}: {key!r} holds NaN or infinite values")
    if x.dtype.kind == "i" and x.size and x.min() < 0:
        raise GenzooError(f"{name}: integer {key!r} holds negative values; integers are level indices or token ids "
                          "(0, 1, ...): cast to float for continuous data")


def _check_labels(name: str, key: str, y: np.ndarray, n: int) -> None:
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise GenzooError(f"{name}: {key!r} must be a 1-d array of integer class labels, got {y.dtype} {y.shape}")
    if len(y) != n:
        raise GenzooError(f"{name}: {key!r} has {len(y)} labels for {n} examples")
    if y.size and y.min() < 0:
        raise GenzooError(f"{name}: {key!r} holds negative class labels")


def _split(arrays: dict[str, np.ndarray], split: Split, holdout: float) -> tuple[np.ndarray, np.ndarray | None]:
    x, y = arrays["x"], arrays.get("y")
    if "x_test" in arrays:
        return (arrays["x_test"], arrays.get("y_test")) if split == "test" else (x, y)
    chosen = holdout_indices(len(x), split, holdout).numpy()
    return x[chosen], None if y is None else y[chosen]


def _refuse_view(name: str, view: View | None, own: View, what: str) -> None:
    """Views turn image levels into other forms; other arrays have only their own form."""
    if view not in (None, own):
        raise ConfigError(f"{name}: view {view!r} applies to uint8 images; {what} arrays have only view {own!r}")
