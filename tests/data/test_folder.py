"""folder:PATH: your own images, flat or in class folders, with a fixed holdout or your own split."""

import os

import numpy as np
import pytest
import torch
from PIL import Image

from genzoo.data import load_dataset
from genzoo.data.fields import UnpairedDataset
from genzoo.errors import ConfigError, GenzooError


def write_pngs(folder, count, *, size=(28, 28), mode="L", start=0):
    """`count` PNGs whose pixel (0, 0) holds the image's number, so tests can tell which file is which."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = []
    for i in range(start, start + count):
        shape = (size[1], size[0]) + ((3,) if mode == "RGB" else ())
        array = np.full(shape, 7, dtype=np.uint8)
        array[0, 0] = i
        Image.fromarray(array, mode).save(folder / f"{i:03d}.png")
        arrays.append(array)
    return arrays


def ids(dataset) -> list[int]:
    """The numbers write_pngs put in pixel (0, 0) of each image (a levels view)."""
    return dataset.tensors()[0][:, 0, 0, 0].tolist()


def test_flat_folder_holds_out_a_fixed_tenth(tmp_path):
    write_pngs(tmp_path, 20)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"ignored")
    train = load_dataset(f"folder:{tmp_path}", "train", view="levels")
    test = load_dataset(f"folder:{tmp_path}", "test", view="levels")
    assert (len(train), len(test)) == (18, 2)
    assert sorted(ids(train) + ids(test)) == list(range(20))
    assert ids(load_dataset(f"folder:{tmp_path}", "test", view="levels")) == ids(test)  # same holdout every time
    assert train.tensors()[1] is None and train[0][1] is None and "label" not in train.fields
    spec = load_dataset(f"folder:{tmp_path}").data_spec
    assert (spec.shape, spec.levels, spec.value_range, spec.num_classes) == ((1, 28, 28), 256, (0, 1), None)
    x, _ = load_dataset(f"folder:{tmp_path}", "test")[0]
    assert x[0, 1, 1].item() == pytest.approx(7 / 255)
    assert len(load_dataset(f"folder:{tmp_path}", "test", holdout=0.5)) == 10


def test_class_subfolders_are_sorted_into_labels(tmp_path):
    write_pngs(tmp_path / "dog", 6, start=0)
    write_pngs(tmp_path / "cat", 4, start=100)
    dataset = load_dataset(f"folder:{tmp_path}", "train", holdout=0.01)  # at least one image is held out
    x, y = dataset.tensors()
    assert len(dataset) == 9 and dataset.data_spec.class_names == ("cat", "dog")
    first_pixel = (x[:, 0, 0, 0] * 255).round().long()
    assert torch.equal(y, (first_pixel < 100).long())  # cat (ids 100..) is class 0, dog class 1
    assert set(dataset.fields) == {"x", "label"} and dataset.fields["label"].num_classes == 2


def test_a_single_class_folder_carries_no_label(tmp_path):
    write_pngs(tmp_path / "only", 3)
    assert load_dataset(f"folder:{tmp_path}").data_spec.num_classes is None


def test_train_and_test_folders_are_used_as_given(tmp_path):
    write_pngs(tmp_path / "train" / "a", 3, start=0)
    write_pngs(tmp_path / "train" / "b", 2, start=10)
    write_pngs(tmp_path / "test" / "b", 2, start=20)
    train = load_dataset(f"folder:{tmp_path}", "train", view="levels")
    test = load_dataset(f"folder:{tmp_path}", "test", view="levels")
    assert len(train) == 5 and ids(test) == [20, 21]
    assert test.tensors()[1].tolist() == [1, 1] and test.data_spec == train.data_spec


def test_domain_folders_make_unpaired_streams(tmp_path):
    write_pngs(tmp_path / "trainA", 5, start=0)
    write_pngs(tmp_path / "trainB", 3, size=(8, 8), mode="RGB", start=50)
    write_pngs(tmp_path / "testA", 2, start=90)
    train = load_dataset(f"folder:{tmp_path}", "train", view="levels")
    test = load_dataset(f"folder:{tmp_path}", "test", view="levels")
    assert isinstance(train, UnpairedDataset) and set(train.streams) == {"a", "b"}
    assert (len(train.streams["a"]), len(train.streams["b"])) == (5, 2)  # b holds one of its 3 out
    assert ids(test.streams["a"]) == [90, 91] and len(test.streams["b"]) == 1
    assert set(ids(train.streams["b"]) + ids(test.streams["b"])) == {50, 51, 52}
    assert train.fields["b"].shape == (3, 8, 8) and train.data_spec.shape == (1, 28, 28)


def test_unpaired_layouts_are_checked(tmp_path):
    write_pngs(tmp_path / "alone" / "trainA", 2)
    assert "trainA/ alone" in _error(tmp_path / "alone")
    write_pngs(tmp_path / "extra" / "trainA", 2)
    write_pngs(tmp_path / "extra" / "trainB", 2)
    write_pngs(tmp_path / "extra" / "misc", 2)
    assert "misc/ beside" in _error(tmp_path / "extra")


def test_a_train_folder_without_test_folder_is_held_out_from(tmp_path):
    write_pngs(tmp_path / "train", 10)
    train = ids(load_dataset(f"folder:{tmp_path}", "train", view="levels"))
    test = ids(load_dataset(f"folder:{tmp_path}", "test", view="levels"))
    assert len(test) == 1 and sorted(train + test) == list(range(10))


def test_colour_images_and_views(tmp_path):
    arrays = write_pngs(tmp_path, 4, size=(5, 3), mode="RGB")
    dataset = load_dataset(f"folder:{tmp_path}", "train", view="levels", holdout=0.25)
    assert dataset.data_spec.shape == (3, 3, 5)
    index = ids(dataset).index(0)
    assert torch.equal(dataset[index][0], torch.from_numpy(arrays[0]).permute(2, 0, 1).long())
    binary = load_dataset(f"folder:{tmp_path}", "train", view="binarized")
    assert binary.data_spec.kind == "binary" and set(binary.tensors()[0].unique().tolist()) <= {0.0, 1.0}
    with pytest.raises(ConfigError, match="view"):
        load_dataset(f"folder:{tmp_path}", view="sepia")


def test_a_rewritten_image_is_read_again(tmp_path):
    def pixels() -> set[int]:
        return {load_dataset(f"folder:{tmp_path}", split, view="levels", holdout=0.5).tensors()[0][0, 0, 1, 1].item()
                for split in ("train", "test")}

    write_pngs(tmp_path, 2)
    assert pixels() == {7}
    array = np.full((28, 28), 200, dtype=np.uint8)
    Image.fromarray(array).save(tmp_path / "001.png")
    os.utime(tmp_path / "001.png", ns=(1, 1))  # a new stamp even where the clock is coarse
    assert pixels() == {7, 200}


def _error(path) -> str:
    with pytest.raises(GenzooError) as error:
        load_dataset(f"folder:{path}")
    message = str(error.value)
    assert "\n" not in message
    return message


def test_one_line_errors(tmp_path):
    assert "no such folder" in _error(tmp_path / "absent")
    (tmp_path / "file.png").write_bytes(b"x")
    assert "not a folder" in _error(tmp_path / "file.png")
    (tmp_path / "empty").mkdir()
    assert "has no images" in _error(tmp_path / "empty")

    write_pngs(tmp_path / "sizes", 2)
    write_pngs(tmp_path / "sizes", 1, size=(32, 32), start=5)
    message = _error(tmp_path / "sizes")
    assert "000.png is 28x28 grey" in message and "005.png is 32x32 grey" in message

    write_pngs(tmp_path / "modes", 1)
    write_pngs(tmp_path / "modes", 1, mode="RGB", start=1)
    assert "001.png is 28x28 RGB" in _error(tmp_path / "modes")

    write_pngs(tmp_path / "broken", 1)
    (tmp_path / "broken" / "zz.png").write_bytes(b"not a png at all")
    assert "cannot read image" in _error(tmp_path / "broken") and "zz.png" in _error(tmp_path / "broken")

    write_pngs(tmp_path / "alpha", 1)
    Image.new("RGBA", (28, 28)).save(tmp_path / "alpha" / "rgba.png")
    assert "mode RGBA" in _error(tmp_path / "alpha")

    write_pngs(tmp_path / "mixed", 1)
    write_pngs(tmp_path / "mixed" / "cls", 1)
    assert "both images and subfolders" in _error(tmp_path / "mixed")

    write_pngs(tmp_path / "classes" / "a", 1)
    (tmp_path / "classes" / "b").mkdir()
    assert "class folder" in _error(tmp_path / "classes") and "has no images" in _error(tmp_path / "classes")

    write_pngs(tmp_path / "onlytest" / "test", 1)
    assert "test/ folder but no train/" in _error(tmp_path / "onlytest")


def test_an_example_of_a_folder_by_index(tmp_path):
    from genzoo.inputs import read_example

    write_pngs(tmp_path / "pngs", 20)
    spec = load_dataset(f"folder:{tmp_path / 'pngs'}").data_spec
    x, label = read_example(spec, f"folder:{tmp_path / 'pngs'}:1")
    test_ids = ids(load_dataset(f"folder:{tmp_path / 'pngs'}", "test", view="levels"))
    assert label is None and round(x[0, 0, 0].item() * 255) == test_ids[1]
