"""The conformance tests, written once for every family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
import torch

from genzoo.capabilities import LIKELIHOOD_CAPABILITIES, Capability
from genzoo.dataspec import DataSpec

N_SAMPLES = 6


def check_samples_match_spec(samples: torch.Tensor, spec: DataSpec, n: int) -> None:
    """Assert that samples have the DataSpec's shape, a float dtype, finite values and its range."""
    assert tuple(samples.shape) == (n, *spec.shape), f"shape {tuple(samples.shape)} != {(n, *spec.shape)}"
    assert samples.dtype.is_floating_point, f"dtype {samples.dtype} is not floating point"
    assert torch.isfinite(samples).all(), "samples contain NaN or inf"
    if spec.value_range is not None:
        low, high = spec.value_range
        assert samples.min() >= low and samples.max() <= high, (
            f"samples span [{samples.min():.4g}, {samples.max():.4g}], outside {spec.value_range}"
        )
    if spec.kind != "continuous":
        low, high = spec.value_range
        levels = torch.linspace(low, high, spec.levels or 2, dtype=samples.dtype)
        nearest = (samples.reshape(-1, 1) - levels).abs().min(dim=1).values
        assert nearest.max() < 1e-5, f"{spec.kind} data must take one of {spec.levels or 2} levels"


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class ConformanceSuite:
    """Subclass in a family's tests; set `family` and/or `architectures` (fnmatch patterns or exact names)."""

    family: ClassVar[str | None] = None
    architectures: ClassVar[tuple[str, ...]] = ("*",)

    @pytest.fixture
    def model(self, architecture):
        import genzoo

        spec = genzoo.get_registry().architecture(architecture)
        torch.manual_seed(0)
        return genzoo.create(architecture, **spec.tiny_config)

    def _needs(self, model, *capabilities: Capability) -> None:
        missing = [c.value for c in capabilities if c not in model.capabilities]
        if missing:
            pytest.skip(f"{model.spec.name} does not claim {', '.join(missing)}")

    def _condition(self, model, n: int):
        if Capability.CONDITIONAL not in model.capabilities:
            return None
        return torch.arange(n) % (model.data_spec.num_classes or 1)

    def test_capabilities_are_implemented(self, model):
        import genzoo

        required_methods = {
            Capability.ENCODE: "encode",
            Capability.DECODE: "decode",
            Capability.LOG_PROB: "log_prob",
            Capability.LOG_PROB_BOUND: "log_prob",
            Capability.LOG_PROB_ESTIMATE: "log_prob",
        }
        for capability in model.capabilities:
            method = required_methods.get(capability)
            assert method is None or callable(getattr(model, method, None)), f"claims {capability} but lacks {method}()"
        if Capability.SAMPLE in model.capabilities:
            assert model.spec.default_sampler in genzoo.get_registry().samplers_for(model.spec)

    def test_sample_matches_dataspec(self, model):
        self._needs(model, Capability.SAMPLE)
        samples = model.sample(N_SAMPLES, condition=self._condition(model, N_SAMPLES), generator=_seeded())
        check_samples_match_spec(samples, model.data_spec, N_SAMPLES)

    def test_same_seed_same_samples(self, model):
        self._needs(model, Capability.SAMPLE)
        condition = self._condition(model, N_SAMPLES)
        first = model.sample(N_SAMPLES, condition=condition, generator=_seeded(7))
        second = model.sample(N_SAMPLES, condition=condition, generator=_seeded(7))
        assert torch.equal(first, second)

    def test_conditional_sampling_follows_labels(self, model):
        self._needs(model, Capability.SAMPLE, Capability.CONDITIONAL)
        classes = model.data_spec.num_classes
        assert classes, "a conditional model needs DataSpec.num_classes"
        samples = model.sample(classes, condition=torch.arange(classes), generator=_seeded())
        check_samples_match_spec(samples, model.data_spec, classes)

    def test_save_load_round_trip_is_bit_exact(self, model, tmp_path):
        import genzoo
        from genzoo.checkpoint import PICKLE_SUFFIXES

        folder = genzoo.save_pretrained(model, tmp_path / "checkpoint")
        files = sorted(p.name for p in folder.iterdir())
        assert "model.safetensors" in files and "config.json" in files and "README.md" in files
        assert not [f for f in files if f.endswith(PICKLE_SUFFIXES)], f"pickle files written: {files}"
        loaded = genzoo.load(folder)
        assert type(loaded) is type(model) and loaded.config == model.config
        original, restored = model.state_dict(), loaded.state_dict()
        assert original.keys() == restored.keys()
        for name, tensor in original.items():
            assert torch.equal(tensor, restored[name]), f"{name} changed in the round trip"
        if Capability.SAMPLE in model.capabilities:
            condition = self._condition(model, N_SAMPLES)
            assert torch.equal(
                model.sample(N_SAMPLES, condition=condition, generator=_seeded(3)),
                loaded.sample(N_SAMPLES, condition=condition, generator=_seeded(3)),
            )

    def test_log_prob_is_finite_per_example(self, model):
        if not LIKELIHOOD_CAPABILITIES & model.capabilities:
            pytest.skip(f"{model.spec.name} claims no likelihood")
        x = self._data(model)
        with torch.no_grad():
            log_prob = model.log_prob(x, condition=self._condition(model, len(x)))
        assert tuple(log_prob.shape) == (len(x),)
        assert torch.isfinite(log_prob).all()
        assert model.log_prob_is_exact == (Capability.LOG_PROB in model.capabilities)

    def test_encode_decode_shapes(self, model):
        self._needs(model, Capability.ENCODE, Capability.DECODE)
        x = self._data(model)
        condition = self._condition(model, len(x))
        with torch.no_grad():
            codes = model.encode(x, condition=condition)
            decoded = model.decode(codes, condition=condition)
        assert codes.shape[0] == len(x)
        assert tuple(decoded.shape) == tuple(x.shape)

    def test_cli_samples_it(self, model, tmp_path):
        self._needs(model, Capability.SAMPLE)
        import numpy as np
        from click.testing import CliRunner

        import genzoo
        from genzoo.cli.main import cli

        folder = genzoo.save_pretrained(model, tmp_path / "checkpoint")
        args = ["sample", str(folder), "-n", "4", "--seed", "0", "--device", "cpu", "-o", str(tmp_path / "x.npy")]
        condition = None
        if Capability.CONDITIONAL in model.capabilities:
            args += ["--condition", "0"]
            condition = 0
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        samples = torch.from_numpy(np.load(tmp_path / "x.npy"))
        check_samples_match_spec(samples, model.data_spec, 4)
        assert torch.equal(samples, model.cpu().sample(4, condition=condition, generator=_seeded(0)))
        assert json.loads((Path(folder) / "config.json").read_text())["architecture"] == model.spec.name

    def _data(self, model) -> torch.Tensor:
        """Valid inputs for likelihood/encoder checks: the model's own samples, else uniform data."""
        spec = model.data_spec
        if Capability.SAMPLE in model.capabilities:
            return model.sample(N_SAMPLES, condition=self._condition(model, N_SAMPLES), generator=_seeded(1))
        low, high = spec.value_range or (-1.0, 1.0)
        return low + (high - low) * torch.rand(N_SAMPLES, *spec.shape, generator=_seeded(1))
