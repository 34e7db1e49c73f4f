"""Resolving dataset names: registered names, folder:/npz: schemes, suggestions, and declared metadata."""

import numpy as np
import pytest

from genzoo.data import describe_dataset, load_dataset
from genzoo.data.base import ImageDataset
from genzoo.data.declared import declaration_problems
from genzoo.data.fields import UnpairedDataset
from genzoo.errors import ConfigError, UnknownNameError
from genzoo.registry import get_registry
from genzoo.specs import load_object


def test_unknown_names_and_schemes_suggest_the_closest():
    with pytest.raises(UnknownNameError, match="unknown dataset 'mnst'; did you mean 'mnist'") as error:
        load_dataset("mnst")
    assert "folder:PATH, npz:FILE" in str(error.value)
    with pytest.raises(UnknownNameError, match="unknown dataset scheme 'foldr'; did you mean 'folder'"):
        load_dataset("foldr:/data")
    with pytest.raises(ConfigError, match="give a path after 'npz:'"):
        load_dataset("npz:")


def test_optional_options_reach_only_factories_that_take_them(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.zeros((4, 2), np.float32))
    dataset = load_dataset(f"npz:{tmp_path / 'a.npz'}", "train", optional={"data_dir": "/nowhere", "seed": 3})
    assert len(dataset) == 3
    with pytest.raises(ConfigError, match=r"bad options \['data_dir'\].*its options: view, seed, holdout"):
        load_dataset(f"npz:{tmp_path / 'a.npz'}", data_dir="/nowhere")


def _declared():
    return [spec for spec in get_registry().datasets.values() if spec.fields or spec.splits]


@pytest.mark.parametrize("spec", _declared(), ids=lambda spec: spec.name)
def test_declared_fields_and_splits_match_the_built_dataset(spec):
    if spec.missing and (reason := load_object(spec.missing)()):
        pytest.skip(reason)
    assert declaration_problems(spec) == []


def test_wrong_declarations_are_named():
    digits = get_registry().dataset("digits")
    wrong = digits.model_copy(update={"splits": {"test": 100}, "fields": {"x": digits.fields["x"]}})
    problems = declaration_problems(wrong)
    assert problems[0] == "dataset 'digits' declares 100 test examples but builds 360: fix DatasetSpec.splits"
    assert problems[1].startswith("dataset 'digits' (test) field 'label': declared None, built DataSpec(shape=()")
    assert len(problems) == 2


def test_the_builtin_datasets_declare_metadata():
    assert {"mnist", "digits", "8gaussians", "moons"} <= {spec.name for spec in _declared()}


def _images(n, classes, name="d"):
    import torch

    levels = torch.zeros(n, 1, 28, 28, dtype=torch.uint8)
    return ImageDataset(levels, torch.arange(n) % classes if classes else None, num_levels=256,
                        num_classes=classes, view="continuous", seed=0, name=name, split="train",
                        class_names=tuple("abcdefghij"[:classes]) if classes else None)


def test_describe_dataset_says_what_was_inferred():
    assert describe_dataset(_images(1000, 10, "folder:/p")) == (
        "folder:/p (train): 1,000 examples, x (1, 28, 28) continuous 256 levels in [0, 1], "
        "label 10 classes (a, b, c, d, e, ...)"
    )
    unpaired = UnpairedDataset({"a": _images(5, None), "b": _images(3, 2)}, name="h2z", split="train")
    assert describe_dataset(unpaired) == (
        "h2z (train): unpaired streams of a 5, b 3 examples, a (1, 28, 28) continuous 256 levels in [0, 1], "
        "b (1, 28, 28) continuous 256 levels in [0, 1], b_label 2 classes (a, b)"
    )


def test_describe_integer_and_unbounded_fields(tmp_path):
    np.savez(tmp_path / "t.npz", x=np.array([[0, 4], [1, 2], [3, 3]]))
    assert describe_dataset(load_dataset(f"npz:{tmp_path / 't.npz'}", "test")) == (
        f"npz:{tmp_path / 't.npz'} (test): 1 example, x (2,) discrete int64 5 levels in [0, 4]"
    )
    assert describe_dataset(load_dataset("moons", "test", n=10)) == "moons (test): 10 examples, x (2,) continuous unbounded"
