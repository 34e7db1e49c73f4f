"""The conformance tests, written once for every family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
import torch

from genzoo.capabilities import LIKELIHOOD_CAPABILITIES, Capability
from genzoo.dataspec import DataSpec
from genzoo.distributions import to_levels

N_SAMPLES = 6


def check_samples_match_spec(samples: torch.Tensor, spec: DataSpec, n: int) -> None:
    """Assert that samples have the DataSpec's shape, dtype, finite values, range and levels; each
    failure says what the model must change."""
    assert tuple(samples.shape) == (n, *spec.shape), (
        f"samples must be shaped (n, *data_spec.shape) = {(n, *spec.shape)}, got {tuple(samples.shape)}"
    )
    if spec.dtype == "int64":
        assert samples.dtype == torch.int64, (
            f"the DataSpec says dtype int64 (level indices), so samples must be int64, not {samples.dtype}"
        )
    else:
        assert samples.dtype.is_floating_point, (
            f"the DataSpec says dtype float32, so samples must be floating point, not {samples.dtype}"
        )
        assert torch.isfinite(samples).all(), "samples contain NaN or inf: the model must return finite values"
    if spec.value_range is not None:
        low, high = spec.value_range
        assert samples.min() >= low and samples.max() <= high, (
            f"samples span [{samples.min():.4g}, {samples.max():.4g}], outside data_spec.value_range "
            f"{spec.value_range}: clamp or squash the output, or widen the DataSpec"
        )
    if spec.kind != "continuous" and spec.dtype != "int64":
        low, high = spec.value_range
        levels = torch.linspace(low, high, spec.levels or 2, dtype=samples.dtype)
        nearest = (samples.reshape(-1, 1) - levels).abs().min(dim=1).values
        assert nearest.max() < 1e-5, (
            f"{spec.kind} data must take one of its {spec.levels or 2} levels in {spec.value_range}: "
            "quantise the samples (e.g. genzoo.distributions' level helpers)"
        )


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class ConformanceSuite:
    """Subclass in a family's tests; set `family` and/or `architectures` (fnmatch patterns or exact names).

    Collecting nothing fails (`test_architectures_are_collected`): a suite pointed at a family whose
    plugin is not installed, or was skipped, must not pass on zero tests. A family that has no
    architecture yet on purpose says so with `allow_no_architectures = "why"`.
    """

    family: ClassVar[str | None] = None
    architectures: ClassVar[tuple[str, ...]] = ("*",)
    allow_no_architectures: ClassVar[str | None] = None

    def test_architectures_are_collected(self):
        from genzoo.testing.plugin import collection_problem

        problem = collection_problem(type(self))
        if problem and self.allow_no_architectures and problem.startswith("no architecture"):
            pytest.skip(self.allow_no_architectures)
        assert not problem, problem

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
        """Class labels 0, 1, ... or, for a model with a `condition_spec`, n conditions inside its range."""
        if Capability.CONDITIONAL not in model.capabilities:
            return None
        spec = model.condition_spec
        if spec is not None:
            low, high = spec.value_range or (-1.0, 1.0)
            return low + (high - low) * torch.rand(n, *spec.shape, generator=_seeded(9))
        return torch.arange(n) % (model.data_spec.num_classes or 1)

    def test_import_paths_resolve(self, architecture):
        """The model, every trainer and every sampler offered import, so a typo fails here, not at create time."""
        import genzoo
        from genzoo.spec_checks import import_problems

        registry = genzoo.get_registry()
        spec = registry.architecture(architecture)
        problems = import_problems(spec)
        for name in registry.samplers_for(spec):
            problems += import_problems(registry.sampler(name))
        assert not problems, "\n".join(problems)

    def test_spec_matches_model_class(self, architecture):
        """Capabilities, default sampler and methods are declared once on the class; the spec repeats them."""
        import genzoo
        from genzoo.factory import check_spec_matches_class

        problems = check_spec_matches_class(genzoo.get_registry().architecture(architecture))
        assert not problems, "\n".join(problems)

    def test_capabilities_are_implemented(self, model):
        import genzoo

        required_methods = {
            Capability.ENCODE: "encode",
            Capability.DECODE: "decode",
            Capability.LOG_PROB: "log_prob",
            Capability.LOG_PROB_BOUND: "log_prob",
            Capability.LOG_PROB_ESTIMATE: "log_prob",
            Capability.TRANSLATE: "translate",
        }
        for capability in model.capabilities:
            method = required_methods.get(capability)
            assert method is None or callable(getattr(model, method, None)), (
                f"{model.spec.name} claims {capability.value!r} but has no {method}() method: implement it or drop "
                "the capability"
            )
        if Capability.SAMPLE in model.capabilities:
            offered = genzoo.get_registry().samplers_for(model.spec)
            assert model.spec.default_sampler in offered, (
                f"default sampler {model.spec.default_sampler!r} cannot run on {model.spec.name} (offered: "
                f"{', '.join(offered) or 'none'}): list the methods it calls in ArchitectureSpec.methods"
            )

    def test_sample_matches_dataspec(self, model):
        self._needs(model, Capability.SAMPLE)
        samples = model.sample(N_SAMPLES, condition=self._condition(model, N_SAMPLES), generator=_seeded())
        check_samples_match_spec(samples, model.data_spec, N_SAMPLES)

    def test_same_seed_same_samples(self, model):
        self._needs(model, Capability.SAMPLE)
        condition = self._condition(model, N_SAMPLES)
        first = model.sample(N_SAMPLES, condition=condition, generator=_seeded(7))
        second = model.sample(N_SAMPLES, condition=condition, generator=_seeded(7))
        assert torch.equal(first, second), (
            "generate must honour `generator`: two calls with the same seed gave different samples (draw every "
            "random number from the generator passed in, never from torch's global RNG)"
        )

    def test_conditional_sampling_follows_labels(self, model):
        self._needs(model, Capability.SAMPLE, Capability.CONDITIONAL)
        if model.condition_spec is not None:
            pytest.skip(f"{model.spec.name} is conditioned on {model.condition_spec.shape} vectors, not class labels")
        classes = model.data_spec.num_classes
        assert classes, "a conditional model needs DataSpec.num_classes: set it in the model config's data spec"
        samples = model.sample(classes, condition=torch.arange(classes), generator=_seeded())
        check_samples_match_spec(samples, model.data_spec, classes)

    def test_save_load_round_trip_is_bit_exact(self, model, tmp_path):
        import genzoo
        from genzoo.checkpoint import PICKLE_SUFFIXES

        folder = genzoo.save_pretrained(model, tmp_path / "checkpoint")
        files = sorted(p.name for p in folder.iterdir())
        for required in ("model.safetensors", "config.json", "README.md"):
            assert required in files, f"save_pretrained must write {required}; it wrote {files}"
        pickles = [f for f in files if f.endswith(PICKLE_SUFFIXES)]
        assert not pickles, f"pickle files written: {pickles}; genzoo checkpoints hold safetensors only"
        loaded = genzoo.load(folder)
        assert type(loaded) is type(model), f"load gave a {type(loaded).__name__}, saved a {type(model).__name__}"
        assert loaded.config == model.config, "the config changed in the round trip: every field must survive JSON"
        original, restored = model.state_dict(), loaded.state_dict()
        assert original.keys() == restored.keys(), (
            f"state_dict keys changed in the round trip: {sorted(original.keys() ^ restored.keys())}; build every "
            "parameter and buffer in __init__ from the config alone"
        )
        for name, tensor in original.items():
            assert torch.equal(tensor, restored[name]), f"{name} changed in the round trip"
        if Capability.SAMPLE in model.capabilities:
            condition = self._condition(model, N_SAMPLES)
            assert torch.equal(
                model.sample(N_SAMPLES, condition=condition, generator=_seeded(3)),
                loaded.sample(N_SAMPLES, condition=condition, generator=_seeded(3)),
            ), "the loaded model samples differently with the same seed: some state is not in the state_dict"

    def test_log_prob_is_finite_per_example(self, model):
        if not LIKELIHOOD_CAPABILITIES & model.capabilities:
            pytest.skip(f"{model.spec.name} claims no likelihood")
        x = self._data(model)
        with torch.no_grad():
            log_prob = model.log_prob(x, condition=self._condition(model, len(x)))
        assert tuple(log_prob.shape) == (len(x),), (
            f"log_prob must return one value per example, shaped ({len(x)},), got {tuple(log_prob.shape)}"
        )
        assert torch.isfinite(log_prob).all(), "log_prob gave NaN or inf on the model's own samples"
        assert model.log_prob_is_exact == (Capability.LOG_PROB in model.capabilities), (
            "log_prob_is_exact must be True exactly when the model claims 'log_prob' (bounds claim 'log_prob_bound')"
        )

    def test_exact_log_prob_normalises(self, model):
        """An exact log_prob integrates to 1 (a grid for 1-2-d data, a full sum for small discrete data)."""
        from genzoo.testing.normalisation import TOLERANCE, CannotCheck, total_mass

        self._needs(model, Capability.LOG_PROB)
        try:
            masses = total_mass(model)
        except CannotCheck as reason:
            pytest.skip(f"normalisation not checked: {reason}")
        for label, mass in enumerate(masses):
            where = f" for class {label}" if len(masses) > 1 else ""
            assert abs(mass - 1) <= TOLERANCE, (
                f"exp(log_prob) integrates to {mass:.4g}{where}, not 1 (tolerance {TOLERANCE:.0%}): a claimed exact "
                "likelihood must be a normalised density; check the sign of log-determinants, Jacobians of "
                "transforms and normalising constants"
            )

    def test_encode_decode_shapes(self, model):
        self._needs(model, Capability.ENCODE, Capability.DECODE)
        x = self._data(model)
        condition = self._condition(model, len(x))
        with torch.no_grad():
            codes = model.encode(x, condition=condition)
            decoded = model.decode(codes, condition=condition)
        assert codes.shape[0] == len(x), f"encode must return one code per example, got {codes.shape[0]} for {len(x)}"
        assert tuple(decoded.shape) == tuple(x.shape), (
            f"decode(encode(x)) must have x's shape {tuple(x.shape)}, got {tuple(decoded.shape)}"
        )

    def test_cli_samples_it(self, model, tmp_path):
        self._needs(model, Capability.SAMPLE)
        import numpy as np
        from click.testing import CliRunner

        import genzoo
        from genzoo.cli.main import cli

        folder = genzoo.save_pretrained(model, tmp_path / "checkpoint")
        args = ["sample", str(folder), "-n", "4", "--seed", "0", "--device", "cpu", "-o", str(tmp_path / "x.npy")]
        condition = None
        if Capability.CONDITIONAL in model.capabilities and model.condition_spec is not None:
            condition = self._condition(model, 1)[0]
            np.save(tmp_path / "condition.npy", condition.numpy())
            args += ["--condition", str(tmp_path / "condition.npy")]
        elif Capability.CONDITIONAL in model.capabilities:
            args += ["--condition", "0"]
            condition = 0
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, f"`genzoo {' '.join(args)}` failed:\n{result.output}"
        samples = torch.from_numpy(np.load(tmp_path / "x.npy"))
        check_samples_match_spec(samples, model.data_spec, 4)
        assert torch.equal(samples, model.cpu().sample(4, condition=condition, generator=_seeded(0))), (
            "`genzoo sample --seed 0` and model.sample(generator=seed 0) disagree: generate must draw only from "
            "`generator`"
        )
        architecture = json.loads((Path(folder) / "config.json").read_text())["architecture"]
        assert architecture == model.spec.name, (
            f"config.json names architecture {architecture!r}, not {model.spec.name!r}"
        )

    def _data(self, model) -> torch.Tensor:
        """Valid inputs for likelihood/encoder checks: the model's own samples, else uniform data."""
        spec = model.data_spec
        if Capability.SAMPLE in model.capabilities:
            return model.sample(N_SAMPLES, condition=self._condition(model, N_SAMPLES), generator=_seeded(1))
        low, high = spec.value_range or (-1.0, 1.0)
        if spec.dtype == "int64":
            return torch.randint(int(low), int(high) + 1, (N_SAMPLES, *spec.shape), generator=_seeded(1))
        return low + (high - low) * torch.rand(N_SAMPLES, *spec.shape, generator=_seeded(1))

    # -- samplers, translation, reduced precision (model interfaces of hook API 2) ----------------
    def test_every_listed_sampler_runs(self, model, tmp_path):
        """Every sampler `genzoo info` offers for the architecture samples the tiny model (with the sampler's
        `tiny_options`); samplers that read a dataset get an npz: file shaped like the model's data."""
        import genzoo

        registry = genzoo.get_registry()
        offered = registry.samplers_for(model.spec)
        if not offered:
            pytest.skip(f"no registered sampler can run on {model.spec.name}")
        for name in offered:
            sampler = registry.sampler(name)
            options = dict(sampler.tiny_options)
            condition = self._condition(model, N_SAMPLES)
            if sampler.dataset_option:
                options[sampler.dataset_option] = self._tiny_dataset(model, tmp_path)
                condition = None
            try:
                samples = model.sample(N_SAMPLES, condition=condition, generator=_seeded(), sampler=name, **options)
            except Exception as error:
                pytest.fail(f"sampler {name!r} is offered for {model.spec.name} (samplers_for) but failed on its tiny "
                            f"config: {type(error).__name__}: {error}. Fix the sampler or the model, set the sampler's "
                            f"tiny_options / dataset_option, or drop the methods it needs from ArchitectureSpec.methods")
            check_samples_match_spec(samples, model.data_spec, N_SAMPLES)

    def test_translate_matches_dataspec(self, model):
        """Inputs of `source_spec` become outputs of `data_spec`, the same for the same seed."""
        self._needs(model, Capability.TRANSLATE)
        source = model.source_spec
        assert source is not None, (
            f"{model.spec.name} claims 'translate' but declares no source DataSpec: add a `source: DataSpec` field "
            "to its config"
        )
        low, high = source.value_range or (-1.0, 1.0)
        x = low + (high - low) * torch.rand(N_SAMPLES, *source.shape, generator=_seeded(2))
        first = model.translate_inputs(x, generator=_seeded(5))
        check_samples_match_spec(first, model.data_spec, N_SAMPLES)
        assert torch.equal(first, model.translate_inputs(x, generator=_seeded(5))), (
            "translate must draw its randomness only from `generator`: the same seed gave different outputs"
        )

    def test_samples_in_bfloat16(self, model):
        """A model loaded with dtype=torch.bfloat16 samples (float32 noise meets bfloat16 weights under
        GenerativeModel.precision) and its samples still match the DataSpec's shape, dtype and range."""
        self._needs(model, Capability.SAMPLE)
        half = model.to(torch.bfloat16)
        try:
            samples = half.sample(N_SAMPLES, condition=self._condition(model, N_SAMPLES), generator=_seeded())
        except RuntimeError as error:
            pytest.fail(f"sampling in bfloat16 failed ({error}): draw noise with the weights' dtype or leave dtype "
                        "choices to autocast (no autocast(enabled=False) regions around the network)")
        finally:
            model.to(torch.float32)
        expected = torch.int64 if model.data_spec.dtype == "int64" else torch.float32
        assert tuple(samples.shape) == (N_SAMPLES, *model.data_spec.shape) and samples.dtype == expected, (
            f"bfloat16 samples must be shaped {(N_SAMPLES, *model.data_spec.shape)} with dtype {expected}, got "
            f"{tuple(samples.shape)} {samples.dtype}"
        )
        if samples.is_floating_point():
            assert torch.isfinite(samples).all(), "bfloat16 samples contain NaN or inf"
        if model.data_spec.value_range is not None:
            low, high = model.data_spec.value_range
            assert samples.min() >= low and samples.max() <= high, "bfloat16 samples leave data_spec.value_range"

    def _tiny_dataset(self, model, tmp_path) -> str:
        """An npz: dataset of 40 examples shaped like the model's data (uint8 images for image specs, so every
        image view works), labelled when the spec has classes."""
        import numpy as np

        spec = model.data_spec
        n = 40
        unit = torch.rand(n, *spec.shape, generator=_seeded(4))
        if spec.is_image and spec.value_range is not None:
            x = to_levels(unit, 256).to(torch.uint8).numpy()
        elif spec.dtype == "int64":
            x = to_levels(unit, spec.levels).numpy()
        else:
            low, high = spec.value_range or (-1.0, 1.0)
            x = (low + (high - low) * unit).numpy()
        arrays = {"x": x}
        if spec.num_classes:
            arrays["y"] = np.arange(n) % spec.num_classes
        path = tmp_path / "tiny-data.npz"
        np.savez(path, **arrays)
        return f"npz:{path}"
