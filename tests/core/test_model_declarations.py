"""Capabilities and default sampler live on the model class; specs repeat them and are checked against it;
samplers are offered only where their capabilities and methods are declared."""

import pytest
import torch

import genzoo
from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.errors import CapabilityError
from genzoo.factory import check_spec_matches_class
from genzoo.model import check_inputs


class VectorConditionConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(3,), value_range=None)
    condition: DataSpec = DataSpec(shape=(2,), value_range=(-1.0, 1.0))


class VectorConditioned(GenerativeModel):
    """Built by hand, never registered: samples are the condition vector padded with zeros."""

    config_class = VectorConditionConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL})

    def generate(self, n, *, condition=None, generator=None):
        return torch.cat([condition, torch.zeros(n, 1)], dim=1)


def test_a_hand_built_model_reads_its_class_and_samples_without_a_spec():
    model = VectorConditioned(VectorConditionConfig())
    assert model.capabilities == {Capability.SAMPLE, Capability.CONDITIONAL}
    assert model.name == "VectorConditioned" and model.default_sampler == "ancestral"
    samples = model.sample(4, condition=torch.tensor([0.5, -0.5]))
    assert torch.equal(samples, torch.tensor([[0.5, -0.5, 0.0]] * 4))


def test_vector_conditions_are_checked_against_the_condition_spec():
    model = VectorConditioned(VectorConditionConfig())
    assert model.condition_spec.shape == (2,) and model.balanced_condition(4) is None
    with pytest.raises(CapabilityError, match=r"condition must be shaped \(3, 2\) or \(2,\), got \(3,\)"):
        model.sample(3, condition=torch.zeros(3))
    with pytest.raises(CapabilityError, match=r"condition values must lie in \[-1, 1\]"):
        model.sample(2, condition=torch.tensor([[0.0, 2.0], [0.0, 0.0]]))


def test_class_labels_must_be_whole_numbers(toy_registry):
    model = genzoo.create("class-gaussian")
    with pytest.raises(CapabilityError, match="class labels; got non-integer"):
        model.sample(2, condition=torch.tensor([0.5, 1.0]))
    assert model.sample(2, condition=torch.tensor([1.0, 2.0])).shape == (2, 1, 4, 4)


def test_check_inputs_batches_one_example_and_names_the_problem():
    spec = DataSpec(shape=(1, 2, 2), value_range=(0.0, 1.0))
    assert check_inputs(torch.zeros(1, 2, 2), spec, "input").shape == (1, 1, 2, 2)
    with pytest.raises(CapabilityError, match="input contains NaN"):
        check_inputs(torch.full((1, 1, 2, 2), float("nan")), spec, "input")
    with pytest.raises(CapabilityError, match=r"must be shaped \(n, 1, 2, 2\)"):
        check_inputs(torch.zeros(3, 4), spec, "input")



def test_check_inputs_keeps_integer_data_integer():
    levels = DataSpec(shape=(3,), kind="discrete", dtype="int64", value_range=(0, 3), levels=4)
    x = check_inputs(torch.tensor([[0.0, 3.0, 2.0]]), levels, "tokens")
    assert x.dtype == torch.int64 and x.tolist() == [[0, 3, 2]]
    with pytest.raises(CapabilityError, match="tokens must hold whole numbers"):
        check_inputs(torch.tensor([0.5, 1.0, 2.0]), levels, "tokens")
    with pytest.raises(CapabilityError, match=r"tokens values must lie in \[0, 3\]"):
        check_inputs(torch.tensor([0, 4, 1]), levels, "tokens")


def _toy_spec(**changes):
    values = {"name": "toy-check", "family": "toy", "model": "toy_family:ClassGaussian", "methods": ("generate",),
              "capabilities": (Capability.SAMPLE, Capability.CONDITIONAL, Capability.ENCODE, Capability.DECODE,
                               Capability.LOG_PROB)}
    return ArchitectureSpec(**(values | changes))


def test_a_spec_that_agrees_with_its_class_has_no_problems(toy_registry):
    assert check_spec_matches_class(_toy_spec()) == []
    assert check_spec_matches_class(toy_registry.architecture("class-gaussian")) == []


@pytest.mark.parametrize(("changes", "fix"), [
    ({"capabilities": (Capability.SAMPLE, Capability.CONDITIONAL, Capability.ENCODE, Capability.DECODE,
                       Capability.LOG_PROB, Capability.TRANSLATE)},
     "lists capability 'translate' but ClassGaussian.capabilities does not; declare it on the class or drop it"),
    ({"capabilities": (Capability.SAMPLE, Capability.CONDITIONAL, Capability.ENCODE, Capability.DECODE)},
     "ClassGaussian.capabilities declares 'log_prob' but ArchitectureSpec 'toy-check' does not list it"),
    ({"default_sampler": "prior"}, "default_sampler='prior' but ClassGaussian.default_sampler is 'ancestral'"),
    ({"methods": ("generate", "sample_prior")}, "lists method 'sample_prior' but ClassGaussian has no method"),
    ({"methods": ()}, "defines generate(), which sampler 'ancestral' needs, but ArchitectureSpec 'toy-check' does "
                      "not list it in methods"),
])
def test_each_disagreement_is_reported_as_a_fix(toy_registry, changes, fix):
    problems = check_spec_matches_class(_toy_spec(**changes))
    assert any(fix in problem for problem in problems), problems


def test_an_unimportable_model_is_one_problem(toy_registry):
    assert check_spec_matches_class(_toy_spec(model="toy_family:Missing")) == [
        "architecture 'toy-check' from '': cannot import toy_family:Missing (module 'toy_family' has no attribute "
        "'Missing')"
    ]


def test_samplers_for_needs_capabilities_and_methods(toy_registry):
    assert toy_registry.samplers_for(_toy_spec()) == ["ancestral"]
    assert toy_registry.samplers_for(_toy_spec(methods=())) == []
    vae = toy_registry.architecture("vae")
    offered = toy_registry.samplers_for(vae)
    assert {"prior", "latent-gmm", "reconstruction"} <= set(offered)
    assert not {"ddpm", "ddim", "dpm-solver", "gibbs"} & set(offered)
    assert ("ancestral" in offered) == ("generate" in vae.methods)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_a_checkpoint_loaded_in_half_precision_samples_float32_data(toy_registry, tmp_path, dtype):
    folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "cg")
    model = genzoo.load(folder, dtype=dtype)
    assert model.dtype == dtype
    samples = model.sample(3, condition=[0, 1, 2], generator=torch.Generator().manual_seed(0))
    assert samples.dtype == torch.float32 and samples.shape == (3, 1, 4, 4) and torch.isfinite(samples).all()
