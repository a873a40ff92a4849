"""Each sentinel format renders text that a tokenizer with that family's special tokens reads as sentinels."""

from __future__ import annotations

import pytest
from tokenizers import AddedToken, Tokenizer, models, pre_tokenizers, trainers

from codetune.definitions.fim_formats import FIM_FORMATS, FimFormat, fim_format
from codetune.errors import EcosystemConfigError

CODE = [
    "func move(delta: float) -> void:\n\tvelocity.y += 9.8 * delta\n\tmove_and_slide()\n",
    "def build(levels):\n    count = 0\n    for level in levels:\n        count += len(level)\n"
    "    return count\n",
    "pub fn total(&self) -> u32 {\n    self.messages.len()\n}\n",
]
PREFIX, MIDDLE, SUFFIX = "def area(width, height):\n    ", "return width * height", "\n\nprint(area(2, 3))\n"


def family_tokenizer(fmt: FimFormat) -> Tokenizer:
    """A tiny byte-level BPE trained on our snippets, with the family's sentinels added as special tokens.

    Code Llama's sentencepiece pieces (`▁<SUF>`, ...) carry the space before them; the fixture models that
    with tokens that take the whitespace on their left (`lstrip`), so ` <SUF>` is one token as `▁<SUF>` is.
    """
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(CODE, trainer=trainer)
    tokenizer.add_special_tokens(
        [AddedToken(content, lstrip=bool(fmt.space_piece)) for content in _contents(fmt)]
    )
    return tokenizer


def _contents(fmt: FimFormat) -> list[str]:
    return [token.removeprefix(fmt.space_piece) if fmt.space_piece else token for token in fmt.special_tokens]


def sentinel_ids(tokenizer: Tokenizer, fmt: FimFormat) -> list[int]:
    """Ids of prefix, suffix, middle and end, looked up by their vocabulary strings."""
    return [tokenizer.token_to_id(role.strip()) for role in (fmt.prefix, fmt.suffix, fmt.middle, fmt.end)]


@pytest.mark.parametrize("name", sorted(FIM_FORMATS))
@pytest.mark.parametrize("ordering", ["psm", "spm"])
def test_rendered_text_tokenizes_to_sentinel_ids_not_pieces(name: str, ordering: str):
    fmt = fim_format(name)
    tokenizer = family_tokenizer(fmt)
    prefix_id, suffix_id, middle_id, end_id = ids = sentinel_ids(tokenizer, fmt)
    assert None not in ids and len(set(ids)) == 4
    render = fmt.render_psm if ordering == "psm" else fmt.render_spm
    encoded = tokenizer.encode(render(PREFIX, MIDDLE, SUFFIX)).ids
    found = [token for token in encoded if token in ids]
    assert found == [prefix_id, suffix_id, middle_id, end_id]  # each once, in this order, in both orderings
    assert encoded.index(end_id) - encoded.index(middle_id) > 1  # the middle's own tokens sit in between


@pytest.mark.parametrize("name", sorted(FIM_FORMATS))
def test_every_special_token_of_a_family_is_one_token(name: str):
    fmt = fim_format(name)
    tokenizer = family_tokenizer(fmt)
    for token in fmt.special_tokens:
        text = " " + token.removeprefix(fmt.space_piece) if fmt.space_piece else token
        assert len(tokenizer.encode(text).ids) == 1, token


def test_another_familys_spelling_falls_apart_into_pieces():
    """The check above can fail: SantaCoder's hyphens are not StarCoder's sentinels."""
    starcoder, santacoder = fim_format("starcoder"), fim_format("santacoder")
    tokenizer = family_tokenizer(starcoder)
    encoded = tokenizer.encode(santacoder.render_psm(PREFIX, MIDDLE, SUFFIX)).ids
    assert not set(encoded) & set(sentinel_ids(tokenizer, starcoder)[:3])


def test_code_llama_spacing_follows_meta_reference():
    fmt = fim_format("codellama")
    assert fmt.render_psm("P", "M", "S") == "<PRE> P <SUF>S <MID>M <EOT>"
    assert fmt.render_spm("P", "M", "S") == "<PRE> <SUF>S <MID> PM <EOT>"


def test_deepseek_sentinels_use_full_width_bars_and_lower_one_eighth_block():
    fmt = fim_format("deepseek-coder")
    for token in (fmt.prefix, fmt.suffix, fmt.middle):
        assert token.startswith("<\uff5c") and token.endswith("\uff5c>") and "\u2581" in token


def test_unknown_family_is_an_error_listing_the_known_ones():
    with pytest.raises(EcosystemConfigError, match="unknown sentinel family 'gpt-5'") as error:
        fim_format("gpt-5")
    for name in FIM_FORMATS:
        assert name in str(error.value)
