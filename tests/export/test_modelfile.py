"""The Modelfile's TEMPLATE renders the prompts the tokenizer's own jinja chat template renders.

The Go side is rendered with tests/export/go_template.py (the subset of text/template the TEMPLATEs use),
the jinja side with `apply_chat_template`. llama.cpp adds BOS itself: the jinja text is compared without it.
"""

from __future__ import annotations

import logging

import pytest

from codetune.definitions.fim_formats import FIM_FORMATS
from codetune.export.modelfile import go_template, modelfile_text, prompt_layout, render_jinja, strip_bos
from codetune.train.tokenizer import training_chat_template
from tests.export.go_template import render
from tests.tiny_models import PLAIN_CHAT_TEMPLATE, train_tokenizer

# A ChatML template written here in the shape Qwen2.5 ships: a default system turn when none is given.
CHATML_TEMPLATE = (
    "{%- if messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful coder.<|im_end|>\\n' }}{%- endif %}"
    "{%- for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
)

CONVERSATIONS = [
    [{"role": "user", "content": "Write a GDScript function that jumps."}],
    [{"role": "system", "content": "Answer in GDScript only."}, {"role": "user", "content": "Move left?"}],
    [
        {"role": "user", "content": "func _ready():"},
        {"role": "assistant", "content": '\tprint("ready")\n'},
        {"role": "user", "content": "And with a signal?\n\n  indented"},
    ],
    [
        {"role": "system", "content": "Be short."},
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
        {"role": "assistant", "content": "d"},
        {"role": "user", "content": "e"},
    ],
]


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer(special_tokens=FIM_FORMATS["starcoder"].special_tokens, chat_template=None)


@pytest.mark.parametrize(
    ("template", "family"),
    [(training_chat_template(), "alpaca"), (CHATML_TEMPLATE, "chatml")],
    ids=["alpaca", "chatml"],
)
def test_template_renders_every_conversation_like_the_jinja_chat_template(tokenizer, template, family):
    tokenizer.chat_template = template
    layout = prompt_layout(tokenizer)
    assert layout.family is not None and layout.family.name == family
    text = go_template(layout)
    for messages in CONVERSATIONS:
        expected = strip_bos(render_jinja(tokenizer, messages), tokenizer.bos_token)
        assert render(text, messages, system=layout.default_system) == expected


def test_fim_models_get_an_infill_branch_that_renders_the_training_sentinels(tokenizer):
    tokenizer.chat_template = training_chat_template()
    layout = prompt_layout(tokenizer)
    starcoder = FIM_FORMATS["starcoder"]
    assert layout.fim == starcoder
    prefix, suffix = "func jump():\n\tvelocity.y = ", "\n\tmove_and_slide()\n"
    infill = render(go_template(layout), Prompt=prefix, Suffix=suffix)
    # the PSM layout the fim rows were trained on, up to where the model starts writing the middle
    assert infill == starcoder.render_psm(prefix, "", suffix).removesuffix(starcoder.end)
    assert "<|endoftext|>" in modelfile_text("m-q8_0.gguf", layout, 1024)


def test_a_base_model_without_chat_template_passes_prompts_through_and_infills(tokenizer):
    tokenizer.chat_template = None
    layout = prompt_layout(tokenizer)
    assert (
        render(go_template(layout), [{"role": "user", "content": "x"}], Prompt="extends Node")
        == "extends Node"
    )


def test_an_untranslatable_chat_template_gets_no_template_and_a_warning(tokenizer, caplog):
    tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    with caplog.at_level(logging.WARNING, logger="codetune.export.modelfile"):
        layout = prompt_layout(tokenizer)
    text = modelfile_text("godot-q8_0.gguf", layout, 2048)
    assert "TEMPLATE" not in text and "no TEMPLATE" in caplog.text and layout.warnings
    assert text.splitlines()[0] == "FROM ./godot-q8_0.gguf"
    assert 'PARAMETER stop "</s>"' in text and "PARAMETER num_ctx 2048" in text
