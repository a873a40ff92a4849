"""The model card: huggingface_hub reads its model-index back; it names base, data commits and licenses."""

from __future__ import annotations

import json
from pathlib import Path

from codetune.export.card import CardFacts, card_text

REPORT = {
    "dataset": "out/example",
    "ecosystem": "example",
    "models": [
        {"name": "untrained", "metrics": {"bits_per_byte": 7.91, "syntax_valid": 0.1}},
        {"name": "f16", "metrics": {"bits_per_byte": 3.2101, "syntax_valid": 0.5}},
        {"name": "q8_0", "metrics": {"bits_per_byte": 3.2154, "syntax_valid": 0.5}},
    ],
}


def test_card_model_index_loads_with_huggingface_hub(tmp_path: Path):
    from huggingface_hub import ModelCard

    dataset = {"id": "my-org/godot-code", "config": "instruct", "split": "train"}
    facts = CardFacts(name="godot-coder", base_model="bigcode/starcoder2-3b", is_adapter=True, stage="sft",
                      eval_report=REPORT, license="bigcode-openrail-m", datasets=(dataset,))  # fmt: skip
    (tmp_path / "README.md").write_text(card_text(facts))
    card = ModelCard.load(tmp_path / "README.md")
    assert card.data.base_model == "bigcode/starcoder2-3b" and card.data.datasets == ["my-org/godot-code"]
    results = {(r.metric_name, r.metric_value) for r in card.data.eval_results}
    assert ("bits_per_byte (q8_0)", 3.2154) in results and ("syntax_valid (untrained)", 0.1) in results
    assert len(results) == 6 and {r.dataset_split for r in card.data.eval_results} == {"test"}
    assert "| q8_0 | 3.2154 | 0.5000 |" in card.text


def test_exported_card_names_the_base_the_data_commits_and_the_training_settings(exported: Path, example_out):
    from huggingface_hub import ModelCard

    card = ModelCard.load(exported / "README.md")
    summary = json.loads((example_out / ".codetune" / "summary.json").read_text())
    commits = [source["commit"][:12] for source in summary["sources"] if not source["skipped"]]
    assert commits and all(commit in card.text for commit in commits)
    assert card.data.license == "mit"
    for heading in (
        "## Training data",
        "## Training settings",
        "## Intended use",
        "## Licenses",
        "## Limitations",
    ):
        assert heading in card.text
    assert "`max_steps`: 3" in card.text and "LoRA adapter" in card.text
