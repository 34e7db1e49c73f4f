import pytest
from pydantic import ValidationError

from genzoo import DataSpec


def test_image_spec_properties():
    spec = DataSpec(shape=(1, 28, 28), kind="binary", value_range=(0, 1), num_classes=10)
    assert spec.is_image and not spec.is_points_2d and spec.dim == 784


def test_points_spec_is_unbounded():
    spec = DataSpec(shape=(2,), value_range=None)
    assert spec.is_points_2d and spec.dim == 2


@pytest.mark.parametrize(
    "values",
    [
        {"shape": (0, 2)},
        {"shape": (2,), "kind": "binary", "levels": 3},
        {"shape": (2,), "kind": "discrete"},
        {"shape": (2,), "kind": "binary", "value_range": None},
        {"shape": (2,), "value_range": (1.0, 0.0)},
        {"shape": (2,), "num_classes": 2, "class_names": ("a",)},
        {"shape": (2,), "colour": "red"},
    ],
)
def test_inconsistent_specs_are_rejected(values):
    with pytest.raises(ValidationError):
        DataSpec(**values)
