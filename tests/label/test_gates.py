"""Gates on labelled rows: each drop counted with its reason, in the summary and the card."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from codetune.label.dataset import DatasetFolder
from codetune.label.gates import Gates, GateSettings, answer_code, deprecated_marker
from codetune.label.run import LabelSettings, run_label, task_prompts
from codetune.label.server import RequestPolicy
from codetune.label.tasks import TASKS
from dataset_scripts.example import DEPRECATED_APIS
from tests.label.conftest import load_config

LONG = (
    "Write a GDScript method that applies gravity to the body's vertical velocity every physics frame, "
    "scales it by the frame's delta, then moves and slides the body along the floor, and finally emits a "
    "signal with the new position so that the camera and the user interface can follow the player"
)


def _marker(prompt) -> str:
    return f"named `{prompt.source['name']}` from `{prompt.source['path']}`"


def test_empty_refusal_length_duplicates_and_contamination_are_dropped_and_counted(
    dataset: Path, scripted_server
):
    label_settings = LabelSettings(task="describe", model="scripted", endpoint="http://127.0.0.1:9/v1",
                                   progress=False, policy=RequestPolicy(5, 2, 0.05))  # fmt: skip
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["describe"], label_settings)
    test_code = next(DatasetFolder(dataset).rows("ast", "test"))["code"]
    replies = ["", "I'm sorry, but I can't help with that.", "x" * 7000, LONG, LONG,
               LONG.replace("follow the player", "follow the hero"), f"Write this:\n{test_code}"]  # fmt: skip
    rules = [{"contains": _marker(p), "reply": reply} for p, reply in zip(prompts, replies, strict=False)]
    server = scripted_server(rules)
    report = run_label(dataset, replace(label_settings, endpoint=server.url))
    expected = {"empty": 1, "refusal": 1, "length": 1, "exact_duplicate": 1, "near_duplicate": 1,
                "contaminated": 1}  # fmt: skip
    assert {k.removeprefix("dropped/"): v for k, v in report.gates.items() if k != "kept"} == expected
    assert report.rows == report.gates["kept"] == len(prompts) - 6
    assert load_config(dataset, "describe").num_rows == report.rows
    card = (dataset / "README.md").read_text()
    assert "| dropped/near_duplicate | 1 |" in card and "| dropped/refusal | 1 |" in card


def test_code_answers_must_parse_and_use_no_deprecated_api():
    gates = Gates(GateSettings(decontaminate=False), deprecated_apis=DEPRECATED_APIS)
    fenced = "Here it is:\n```typescript\n{}\n```"

    def reason(answer: str) -> str | None:
        return gates.drop_reason(answer, language="typescript", code=answer_code(answer))

    current = "const door = engine.addEntity()\nTransform.create(door, {position: Vector3.One()})"
    assert reason(fenced.format(current)) is None
    old = "const door = new Entity()\nengine.addEntity(door)"
    assert reason(fenced.format(old)) == "deprecated_api"
    broken = "function rise( {\n  return"
    assert reason(fenced.format(broken)) == "parse_error"
    assert deprecated_marker(DEPRECATED_APIS[1]) == ".addComponent(new Transform("
    assert gates.counts == {"kept": 1, "dropped/deprecated_api": 1, "dropped/parse_error": 1}


def test_a_model_negative_equal_to_or_too_close_to_the_human_code_is_dropped(dataset: Path, scripted_server):
    label_settings = LabelSettings(task="negatives", model="scripted", endpoint="http://127.0.0.1:9/v1",
                                   progress=False, policy=RequestPolicy(5, 2, 0.05))  # fmt: skip
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["negatives"], label_settings)
    code = [p for p in prompts if len(p.source["output"]) > 80][:2]
    same = f"```\n{code[0].source['output']}\n```"  # equal once the fence and spacing are gone
    close = code[1].source["output"] + "\n# done"
    rules = [{"contains": code[0].user, "reply": same}, {"contains": code[1].user, "reply": close}]
    server = scripted_server(rules)
    report = run_label(dataset, replace(label_settings, endpoint=server.url))
    assert (
        report.gates["dropped/rejected_equals_chosen"] == 1
        and report.gates["dropped/rejected_too_close"] == 1
    )
    rows = load_config(dataset, "negatives")
    assert rows.num_rows == report.rows == len(prompts) - 2
    assert set(rows["negative_kind"]) == {"model"} and rows[0]["chosen"][0]["role"] == "assistant"


def test_readme_prompts_pair_the_models_request_with_the_tree_and_reprompt_its_dpo_pairs(
    dataset: Path, scripted_server
):
    server = scripted_server(
        [{"contains": "README", "reply": "Build a small game that shows how signals work."}]
    )
    label_settings = LabelSettings(
        task="readme-prompts", model="scripted", endpoint=server.url, progress=False
    )
    report = run_label(dataset, label_settings)
    # the same request for every README: exact duplicates after the first
    assert report.gates["kept"] == 1 and report.gates["dropped/exact_duplicate"] == report.prompts - 1
    (row,) = load_config(dataset, "readme-prompts")
    assert row["prompt"] == [{"role": "user", "content": "Build a small game that shows how signals work."}]
    assert row["completion"][0]["content"].startswith(row["repo"]) and "├── " in row["output"]
    pairs = load_config(dataset, "readme-prompts-dpo")
    assert pairs.num_rows > 0 and set(pairs["repo"]) == {row["repo"]}
    assert all(pair["prompt"] == row["prompt"] for pair in pairs)
    assert set(pairs["negative_kind"]) == {"corrupted_tree"}


def test_an_answer_sharing_an_ngram_with_an_eval_source_is_dropped_as_contaminated(
    dataset: Path, scripted_server, tmp_path: Path
):
    import json

    from codetune.definitions.hygiene_settings import EvalSource

    benchmark = (
        "Write a function that returns the longest strictly increasing run of scores in a leaderboard list"
    )
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(json.dumps({"prompt": benchmark}) + "\n")
    server = scripted_server([{"contains": "README", "reply": f"Build this. {benchmark}, then show it."}])
    label_settings = LabelSettings(
        task="readme-prompts",
        model="scripted",
        endpoint=server.url,
        progress=False,
        eval_sources=(EvalSource(path=str(eval_file), text_fields=("prompt",)),),
    )
    report = run_label(dataset, label_settings)
    # one answer for every README: the first is contaminated, the others duplicates of it
    assert report.gates == {"dropped/contaminated": 1, "dropped/exact_duplicate": report.prompts - 1}
