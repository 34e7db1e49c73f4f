"""Checking what a DatasetSpec declares (fields, split sizes) against the dataset it builds.

`genzoo datasets` shows the declarations without building anything, so a wrong one misleads
quietly; tests (and the conformance kit) build the dataset once and compare.
"""

from __future__ import annotations

from genzoo.data import load_dataset
from genzoo.dataspec import DataSpec
from genzoo.specs import DatasetSpec


def declaration_problems(spec: DatasetSpec) -> list[str]:
    """One line per way the declared metadata differ from the built dataset (default options); [] when they agree."""
    problems = []
    for split in spec.splits or (["train"] if spec.fields else []):
        dataset = load_dataset(spec.name, split)
        declared_size = spec.splits.get(split)
        if declared_size is not None and len(dataset) != declared_size:
            problems.append(f"dataset {spec.name!r} declares {declared_size:,} {split} examples but builds "
                            f"{len(dataset):,}: fix DatasetSpec.splits")
        if spec.fields:
            problems += _field_problems(spec.name, split, spec.fields, dataset.fields)
    return problems


def _field_problems(name: str, split: str, declared: dict[str, DataSpec], built: dict[str, DataSpec]) -> list[str]:
    return [f"dataset {name!r} ({split}) field {field!r}: declared {declared.get(field)!r}, built "
            f"{built.get(field)!r}: fix DatasetSpec.fields"
            for field in sorted(set(declared) | set(built)) if declared.get(field) != built.get(field)]
