"""One line that says what a dataset holds, so a user sees what genzoo inferred from their files.

    folder:/p (train): 1,000 examples, x (1, 28, 28) continuous 256 levels in [0, 1], label 10 classes
"""

from __future__ import annotations

from genzoo.dataspec import DataSpec

SHOWN_CLASS_NAMES = 5


def describe_dataset(dataset) -> str:
    """`name (split): N examples, <field> <spec>, ...`; unpaired data give each stream's size."""
    streams = getattr(dataset, "streams", None)
    if streams is not None:
        sizes = ", ".join(f"{name} {len(stream):,}" for name, stream in streams.items())
        size = f"unpaired streams of {sizes} examples"
    else:
        size = f"{len(dataset):,} example{'' if len(dataset) == 1 else 's'}"
    fields = ", ".join(describe_field(name, spec) for name, spec in dataset.fields.items())
    return f"{dataset.name} ({dataset.split}): {size}, {fields}"


def describe_field(name: str, spec: DataSpec) -> str:
    """`x (1, 28, 28) discrete 256 levels in [0, 1]`, or `label 10 classes (cat, dog, ...)` for a class label."""
    if spec.shape == () and spec.dtype == "int64" and spec.num_classes:
        names = ""
        if spec.class_names:
            shown = spec.class_names[:SHOWN_CLASS_NAMES]
            names = f" ({', '.join(shown)}{', ...' if len(spec.class_names) > len(shown) else ''})"
        return f"{name} {spec.num_classes} classes{names}"
    words = [name, str(spec.shape), spec.kind]
    if spec.dtype != "float32":
        words.append(spec.dtype)
    if spec.levels and spec.kind != "binary":
        words.append(f"{spec.levels} levels")
    words.append(f"in [{spec.value_range[0]:g}, {spec.value_range[1]:g}]" if spec.value_range else "unbounded")
    return " ".join(words)
