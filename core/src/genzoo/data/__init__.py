"""Datasets, registered through the `genzoo_datasets` hook so that any plugin can add one.

    from genzoo.data import load_dataset
    test = load_dataset("digits", split="test", view="dequantized")
    x, y = test.tensors()
"""

from __future__ import annotations

import inspect
from typing import Any

from genzoo.errors import ConfigError, pydantic_message


def load_dataset(name: str, split: str = "train", *, optional: dict[str, Any] | None = None, **options: Any):
    """Build the registered dataset `name`; unknown names and bad options are GenzooErrors.

    `optional` options (such as `data_dir` or `view` from the CLI) go only to factories that take
    them, so one command line works for every dataset.
    """
    from pydantic import ValidationError

    from genzoo.registry import get_registry
    from genzoo.specs import load_object

    factory = load_object(get_registry().dataset(name).target)
    accepted = inspect.signature(factory).parameters
    optional = optional or {}
    options.update({key: value for key, value in optional.items() if key in accepted})
    try:
        return factory(split=split, **options)
    except TypeError as error:  # an option the factory does not take
        raise ConfigError(f"dataset {name!r}: bad options {sorted(options)} ({error})") from None
    except ValidationError as error:
        raise ConfigError(f"invalid options for dataset {name!r}: " + pydantic_message(error).replace("\n", "; ")) from None

