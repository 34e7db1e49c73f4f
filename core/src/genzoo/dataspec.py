"""DataSpec: what a model's samples look like.

Every model and every dataset carries one, so that a sampler, a metric or the conformance kit can
check samples against it and the CLI can pick the right output (an image grid or a 2D scatter)
without knowing the family.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DataSpec(BaseModel):
    """Shape, value range, quantisation and classes of one example."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shape: tuple[int, ...] = Field(description="Shape of one example, e.g. (1, 28, 28), (2,) or () for a class label.")
    kind: Literal["continuous", "discrete", "binary"] = Field(
        "continuous", description="binary: values in {low, high}; discrete: `levels` evenly spaced values."
    )
    value_range: tuple[float, float] | None = Field(
        (0.0, 1.0), description="Inclusive (low, high) bounds of values; None for unbounded data such as 2D toys."
    )
    levels: int | None = Field(None, ge=2, description="Number of quantisation levels of the original data.")
    num_classes: int | None = Field(None, ge=1, description="Number of classes for conditional models.")
    class_names: tuple[str, ...] | None = None
    dtype: Literal["float32", "int64"] = Field(
        "float32", description="int64 for level indices and token ids (values 0..levels-1), which are never cast to float."
    )

    @classmethod
    def for_labels(cls, num_classes: int, class_names: tuple[str, ...] | None = None) -> DataSpec:
        """The spec of one class label: an int64 scalar in 0..num_classes-1 (a field of a dataset's examples)."""
        return cls(shape=(), kind="discrete", dtype="int64", value_range=(0, num_classes - 1), levels=num_classes,
                   num_classes=num_classes, class_names=class_names)

    @model_validator(mode="after")
    def _consistent(self) -> DataSpec:
        if any(size < 1 for size in self.shape):
            raise ValueError(f"shape sizes must be positive, got {self.shape}")
        if self.value_range is not None and not all(math.isfinite(end) for end in self.value_range):
            raise ValueError(f"value_range ends must be finite numbers, got {self.value_range} (use None for unbounded data)")
        if self.kind == "binary" and self.levels not in (None, 2):
            raise ValueError("binary data has exactly 2 levels")
        if self.kind == "discrete" and self.levels is None:
            raise ValueError("discrete data needs `levels`")
        if self.kind != "continuous" and self.value_range is None:
            raise ValueError(f"{self.kind} data needs a value_range")
        if self.value_range is not None and self.value_range[0] >= self.value_range[1]:
            raise ValueError(f"value_range low must be below high, got {self.value_range}")
        if self.class_names is not None and len(self.class_names) != self.num_classes:
            raise ValueError("class_names must have num_classes entries")
        if self.dtype == "int64":
            self._check_integer()
        return self

    def _check_integer(self) -> None:
        """int64 data are level indices: low..high with one level per integer."""
        if self.kind == "continuous" or self.value_range is None:
            raise ValueError("int64 data must be discrete or binary with a value_range")
        low, high = self.value_range
        if low != int(low) or high != int(high):
            raise ValueError(f"int64 data need whole-number value_range ends, got {self.value_range}")
        levels = 2 if self.kind == "binary" else self.levels
        if levels != high - low + 1:
            raise ValueError(f"int64 data in {self.value_range} have {int(high - low + 1)} levels, not {levels}")

    @property
    def is_image(self) -> bool:
        """Images are (channels, height, width) with 1 or 3 channels."""
        return len(self.shape) == 3 and self.shape[0] in (1, 3)

    @property
    def is_points_2d(self) -> bool:
        return self.shape == (2,)

    @property
    def is_drawable(self) -> bool:
        """Whether a PNG can show examples: an image grid for images, a scatter plot for 2-D points."""
        return self.is_image or self.is_points_2d

    @property
    def dim(self) -> int:
        """Number of scalar dimensions of one example (D in bits/dim)."""
        size = 1
        for s in self.shape:
            size *= s
        return size
