"""list_models / info / create against the real plugins plus a test family."""

import json

import pytest
from pydantic import ValidationError

import genzoo
from genzoo.errors import CapabilityError, ConfigError, DuplicateNameError, UnknownNameError


def test_list_models_filters(toy_registry):
    assert "gaussian" in genzoo.list_models()
    assert genzoo.list_models("class-*") == ["class-gaussian", "class-gaussian-test"]
    assert genzoo.list_models(family="toy", pretrained=True) == ["class-gaussian-test"]
    assert genzoo.list_models(family="toy", pretrained=False) == ["class-gaussian"]
    assert "gaussian" not in genzoo.list_models(capability="conditional")
    assert "class-gaussian" in genzoo.list_models(capability="encode")


def test_unknown_capability_is_an_error(toy_registry):
    with pytest.raises(UnknownNameError, match="capability"):
        genzoo.list_models(capability="fly")


def test_unknown_name_suggests_close_names(toy_registry):
    with pytest.raises(UnknownNameError) as caught:
        genzoo.info("gausian")
    assert caught.value.suggestions[0] == "gaussian"
    assert "did you mean 'gaussian'" in str(caught.value)


def test_info_describes_without_importing_the_model(toy_registry):
    details = genzoo.info("class-gaussian-test")
    assert details.kind == "pretrained"
    assert details.architecture.name == "class-gaussian"
    # Listed by capabilities alone (info imports no model code), so samplers that also need methods may appear.
    assert "ancestral" in details.samplers


def test_create_validates_config_one_line_per_field(toy_registry):
    model = genzoo.create("class-gaussian", std=0.5)
    assert model.config.std == 0.5 and model.spec.name == "class-gaussian"
    with pytest.raises(ConfigError) as caught:
        genzoo.create("class-gaussian", std="wide", colour=3)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid ClassGaussianConfig:"
    assert any(line.startswith("class-gaussian: std:") for line in lines)
    assert any(line.startswith("class-gaussian: colour:") for line in lines)


def test_create_refuses_a_pretrained_name(toy_registry):
    with pytest.raises(UnknownNameError, match="pretrained model"):
        genzoo.create("class-gaussian-test")


def test_duplicate_names_name_both_plugins_and_spare_the_rest(plugin_env):
    registry = plugin_env("duplicate_gaussian", "toy_family")
    with pytest.raises(DuplicateNameError) as caught:
        genzoo.create("gaussian")
    message = str(caught.value)
    assert "'explicit-likelihood'" in message and "'duplicate-gaussian'" in message
    assert "gaussian" not in genzoo.list_models()
    assert "class-gaussian" in genzoo.list_models()
    assert len(registry.conflicts()) == 1


def test_capability_checks_on_sampling(toy_registry):
    model = genzoo.create("gaussian")
    with pytest.raises(CapabilityError, match="not conditional"):
        model.sample(2, condition=1)
    conditional = genzoo.create("class-gaussian")
    with pytest.raises(CapabilityError, match=r"\[0, 2\]"):
        conditional.sample(2, condition=[0, 5])
    with pytest.raises(CapabilityError, match="3 condition labels for 2"):
        conditional.sample(2, condition=[0, 1, 2])


def test_unknown_sampler_and_bad_sampler_options(toy_registry):
    model = genzoo.create("gaussian")
    with pytest.raises(UnknownNameError, match="sampler"):
        model.sample(2, sampler="no-such-sampler")
    with pytest.raises(ConfigError, match="steps"):
        model.sample(2, steps=3)


def test_hand_built_model_finds_its_spec(toy_registry):
    from toy_family import ClassGaussian, ClassGaussianConfig

    model = ClassGaussian(ClassGaussianConfig())
    assert model.spec.name == "class-gaussian"
    assert model.sample(3).shape == (3, 1, 4, 4)


def test_pretrained_catalog_entries_are_validated(tmp_path):
    entry = {"name": "toy-x", "architecture": "toy", "repo_id": "genzoo/toy-x", "files": {"model.safetensors": "a" * 64}}
    catalog = tmp_path / "pretrained.json"
    catalog.write_text(json.dumps([entry]))
    assert [spec.name for spec in genzoo.PretrainedSpec.from_catalog(catalog)] == ["toy-x"]
    catalog.write_text(json.dumps([entry | {"files": {"model.safetensors": "not a digest"}}]))
    with pytest.raises(ValidationError):
        genzoo.PretrainedSpec.from_catalog(catalog)
