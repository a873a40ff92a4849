"""Training-subset settings fail when created, naming the field; YAML takes the same keys."""

from __future__ import annotations

import pytest

from codetune.definitions.subset_settings import DpoSettings, FimSettings, InstructSettings
from codetune.ecosystem import Ecosystem
from codetune.errors import EcosystemConfigError


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: FimSettings(fim_rate=1.5), r"fim: field 'fim_rate' must be a number between 0 and 1"),
        (lambda: FimSettings(span_mix={"tree": 1.0}), r"field 'span_mix' has unknown span modes \['tree'\]"),
        (lambda: FimSettings(span_mix={"ast": 0}), r"field 'span_mix' needs at least one positive weight"),
        (lambda: FimSettings(format="gpt"), r"field 'format' names an unknown sentinel family 'gpt'"),
        (lambda: InstructSettings(template="vicuna"), r"instruct: field 'template' must be one of"),
        (lambda: InstructSettings(imports=[{"path": "a", "fromat": "alpaca"}]), r"unknown field 'fromat'"),
        (lambda: InstructSettings(imports=[{"path": "a", "format": "csv"}]), r"field 'format' must be one"),
        (lambda: DpoSettings(negative_kinds=("llm",)), r"dpo: field 'negative_kinds' has unknown values"),
    ],
)
def test_bad_settings_name_the_field(make, message: str):
    with pytest.raises(EcosystemConfigError, match=message):
        make()


def test_yaml_definition_takes_the_training_settings():
    ecosystem = Ecosystem.from_dict(
        {
            "name": "games",
            "sources": ["/src/game"],
            "fim": {"format": "codegemma", "span_mix": {"line": 1}},
            "instruct": {"template": "alpaca", "imports": ["data/alpaca.json"]},
            "dpo": {"negative_kinds": ["corrupted_tree"]},
        }
    )
    assert ecosystem.fim.format == "codegemma" and ecosystem.fim.span_mix == (("line", 1.0),)
    assert ecosystem.instruct.imports[0].path == "data/alpaca.json"
    assert ecosystem.dpo.negative_kinds == ("corrupted_tree",)
