"""DataSpec for integer data (level indices, token ids, class labels) and the value_range checks."""

import math

import pytest
from pydantic import ValidationError

from genzoo import DataSpec


def test_integer_levels_and_labels_are_int64_specs():
    pixels = DataSpec(shape=(1, 8, 8), kind="discrete", dtype="int64", value_range=(0, 255), levels=256)
    assert pixels.dtype == "int64" and pixels.dim == 64
    label = DataSpec.for_labels(3, ("cat", "dog", "fox"))
    assert (label.shape, label.kind, label.dtype, label.value_range, label.levels) == ((), "discrete", "int64", (0, 2), 3)
    assert label.dim == 1 and not label.is_image and label.class_names == ("cat", "dog", "fox")
    assert DataSpec(shape=(4,), kind="binary", dtype="int64", value_range=(0, 1)).dtype == "int64"


def test_default_dtype_is_float32_and_survives_json():
    spec = DataSpec(shape=(2,), value_range=None)
    assert spec.dtype == "float32"
    label = DataSpec.for_labels(10)
    assert DataSpec.model_validate_json(label.model_dump_json()) == label


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"shape": (3,), "dtype": "int64", "value_range": None}, "must be discrete or binary"),
        ({"shape": (3,), "dtype": "int64"}, "must be discrete or binary"),
        ({"shape": (3,), "kind": "discrete", "dtype": "int64", "value_range": (0, 1.5), "levels": 2}, "whole-number"),
        ({"shape": (3,), "kind": "discrete", "dtype": "int64", "value_range": (0, 9), "levels": 256}, "have 10 levels"),
        ({"shape": (3,), "kind": "binary", "dtype": "int64", "value_range": (0, 2)}, "have 3 levels, not 2"),
        ({"shape": (3,), "dtype": "float64"}, "dtype"),
    ],
)
def test_inconsistent_integer_specs_are_refused(values, message):
    with pytest.raises(ValidationError, match=message):
        DataSpec(**values)


@pytest.mark.parametrize("bad", [(math.nan, 1.0), (0.0, math.inf), (-math.inf, 0.0)])
def test_value_range_ends_must_be_finite(bad):
    with pytest.raises(ValidationError, match="value_range ends must be finite"):
        DataSpec(shape=(2,), value_range=bad)


def test_nan_value_range_from_json_is_refused_with_one_clear_line():
    with pytest.raises(ValidationError) as error:
        DataSpec.model_validate({"shape": [2], "value_range": [float("nan"), 1]})
    assert "value_range ends must be finite numbers" in str(error.value) and "use None" in str(error.value)
