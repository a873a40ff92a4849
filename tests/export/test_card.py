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
    sources = [source for source in summary["sources"] if not source["skipped"]]
    assert sources
    for source in sources:  # the example's sources are folders; a git source shows its commit
        where = f"@ `{source['commit'][:12]}`" if source["commit"] else "(a folder: no commit)"
        assert f"  - {source['name']} {where}, license {source['license']}" in card.text
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


def test_card_lists_each_source_repository_of_a_local_build_with_its_commit(tmp_path: Path):
    from codetune.export.card import dataset_record

    build = tmp_path / "build"
    (build / ".codetune").mkdir(parents=True)
    sources = [{"name": "godot-platformer", "commit": "0123456789abcdef01", "license": "MIT", "skipped": ""},
               {"name": "gone", "commit": "", "license": "", "skipped": "missing"}]  # fmt: skip
    (build / ".codetune" / "summary.json").write_text(
        json.dumps({"fingerprint": "f" * 64, "sources": sources})
    )
    record = dataset_record({"id": str(build), "config": "clm", "split": "train"})
    text = card_text(CardFacts(name="m", base_model="org/base", is_adapter=False, datasets=(record,)))
    assert "  - godot-platformer @ `0123456789ab`, license MIT" in text and "gone" not in text
    assert f"`{build}`, config `clm`, split `train`, build ffffffffffffffff" in text
    assert "Training data: MIT." in text
