"""Datasets, registered through the `genzoo_datasets` hook so that any plugin can add one.

    from genzoo.data import load_dataset
    test = load_dataset("digits", split="test", view="dequantized")
    x, y = test.tensors()

Your own data need no plugin: `folder:PATH` (a folder of images, see genzoo.data.folder) and
`npz:FILE` (numpy arrays, see genzoo.data.npz) work wherever a dataset name does.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from genzoo.data.describe import describe_dataset
from genzoo.errors import ConfigError, UnknownNameError, pydantic_message

__all__ = ["SCHEMES", "dataset_factory", "describe_dataset", "load_dataset"]

# prefix -> factory(path, split=..., **options) for data given by location instead of by name
SCHEMES = {"folder": "genzoo.data.folder:folder_dataset", "npz": "genzoo.data.npz:npz_dataset"}
OWN_DATA_HINT = "or your own data: folder:PATH, npz:FILE"


def dataset_factory(name: str) -> Callable[..., Any]:
    """The callable behind a dataset name: a registered dataset, or `scheme:path` for your own files."""
    from genzoo.specs import load_object

    scheme, colon, location = name.partition(":")
    if colon:  # registered names cannot contain ":"
        if scheme not in SCHEMES:
            raise UnknownNameError("dataset scheme", scheme, SCHEMES, OWN_DATA_HINT)
        if not location:
            raise ConfigError(f"dataset {name!r}: give a path after '{scheme}:'")
        return functools.partial(load_object(SCHEMES[scheme]), location)
    from genzoo.registry import get_registry

    return load_object(get_registry().datasets.get_spec(name, OWN_DATA_HINT).target)


def load_dataset(name: str, split: str = "train", *, optional: dict[str, Any] | None = None, **options: Any):
    """Build dataset `name` (registered, folder:PATH or npz:FILE); unknown names and bad options are GenzooErrors.

    `optional` options (such as `data_dir` or `view` from the CLI) go only to factories that take
    them, so one command line works for every dataset.
    """
    from pydantic import ValidationError

    factory = dataset_factory(name)
    signature = inspect.signature(factory)
    options.update({key: value for key, value in (optional or {}).items() if key in signature.parameters})
    try:
        signature.bind(split=split, **options)
    except TypeError as error:  # an option the factory does not take
        unknown = sorted(set(options) - set(signature.parameters)) or sorted(options)
        takes = ", ".join(p for p in signature.parameters if p != "split") or "none"
        raise ConfigError(f"dataset {name!r}: bad options {unknown} ({error}; its options: {takes})") from None
    try:
        return factory(split=split, **options)
    except ValidationError as error:
        raise ConfigError(f"invalid options for dataset {name!r}: " + pydantic_message(error).replace("\n", "; ")) from None
