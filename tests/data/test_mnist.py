"""MNIST: a one-line error when the files are missing, digest checks, and the real files when present."""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from genzoo.data import load_dataset, mnist, mnist_files
from genzoo.errors import GenzooError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_missing_files_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.delenv("GENZOO_DATA", raising=False)
    with pytest.raises(mnist_files.MnistMissingError) as error:
        load_dataset("mnist", data_dir=str(tmp_path))
    message = str(error.value)
    assert "\n" not in message and str(tmp_path / "mnist") in message
    assert "train-images-idx3-ubyte" in message and "--data-dir" in message and "GENZOO_DATA" in message


def test_environment_variable_is_the_default_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GENZOO_DATA", str(tmp_path))
    with pytest.raises(GenzooError, match=str(tmp_path)):
        load_dataset("mnist")


def _fake_idx(folder: Path, name: str, array: np.ndarray, compress: bool) -> str:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    (folder / (name + (".gz" if compress else ""))).write_bytes(gzip.compress(data) if compress else data)
    return hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("compress", [True, False])
def test_idx_files_parse_gzip_or_raw_and_are_verified(tmp_path, monkeypatch, compress):
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    labels = np.array([4, 0, 9])
    digests = {}
    for prefix in ("train", "t10k"):
        digests[f"{prefix}-images-idx3-ubyte"] = _fake_idx(tmp_path, f"{prefix}-images-idx3-ubyte", images, compress)
        digests[f"{prefix}-labels-idx1-ubyte"] = _fake_idx(tmp_path, f"{prefix}-labels-idx1-ubyte", labels, compress)
    monkeypatch.setattr(mnist, "FILES", digests)
    data = load_dataset("mnist", "test", data_dir=str(tmp_path), view="discrete")
    x, y = data.tensors()
    assert torch.equal(y, torch.tensor([4, 0, 9])) and torch.allclose(x[:, 0] * 255, torch.from_numpy(images).float())
    monkeypatch.setattr(mnist, "FILES", {**digests, "t10k-labels-idx1-ubyte": "0" * 32})
    mnist.read_idx.cache_clear()
    with pytest.raises(GenzooError, match="md5 of the uncompressed bytes"):
        load_dataset("mnist", "test", data_dir=str(tmp_path))


def test_download_is_opt_in(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(mnist, "download_files", lambda folder: calls.append(folder))
    with pytest.raises(mnist_files.MnistMissingError):
        load_dataset("mnist", data_dir=str(tmp_path))
    assert calls == []
    with pytest.raises(mnist_files.MnistMissingError):
        load_dataset("mnist", data_dir=str(tmp_path), download=True)
    assert calls == [tmp_path / "mnist"]


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="MNIST files not available on this machine")
def test_real_mnist_standard_split():
    test = load_dataset("mnist", "test", data_dir=str(SHARED), view="dequantized")
    x, y = test.tensors()
    assert x.shape == (10_000, 1, 28, 28) and 0 <= x.min() and x.max() < 1
    assert torch.bincount(y).tolist()[:2] == [980, 1135]
    assert test.data_spec.levels == 256 and test.data_spec.num_classes == 10
