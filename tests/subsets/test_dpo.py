"""`dpo` pairs: deprecated-API rewrites and corrupted trees, with how each negative was made."""

from __future__ import annotations

import random

from codetune.definitions.subset_settings import DpoSettings
from codetune.documents import RepoTreeMeta, make_document
from codetune.ecosystem import DeprecatedApi
from codetune.parse.trees import render_tree
from codetune.subsets.dpo import dpo_rows
from codetune.subsets.negatives import corrupt_paths, tree_paths
from tests.subsets.conftest import segment_document

SYSTEM = (
    "export function riseSystem(dt: number) {\n  for (const [e] of engine.getEntitiesWith(Transform)) {\n"
    "    Transform.getMutable(e).position.y += dt\n  }\n}"
)
SDK6 = (
    DeprecatedApi(
        r"Transform\.getMutable\((\w+)\)",
        r"\1.getComponent(Transform)",
        "SDK 6 getComponent",
        ("typescript",),
    ),
    DeprecatedApi(
        r"engine\.getEntitiesWith\(([^)]*)\)", r"engine.getComponentGroup(\1).entities", "", ("typescript",)
    ),
    DeprecatedApi(r"new Entity\(\)", "new Entity()", "matches nothing in SDK 7 code", ()),
)


def test_deprecated_api_pair_has_real_code_chosen_and_rewritten_code_rejected(context_for):
    context = context_for(deprecated_apis=SDK6)
    document = segment_document(
        SYSTEM, docstring="Raises every entity.", name="riseSystem", language="typescript"
    )
    rows = list(dpo_rows(document, context))
    assert [row["rule"] for row in rows] == [
        "SDK 6 getComponent",
        r"engine\.getEntitiesWith\(([^)]*)\) -> "
        r"engine.getComponentGroup(\1).entities",
    ]
    first = rows[0]
    assert first["chosen"] == [{"role": "assistant", "content": SYSTEM}]
    assert "e.getComponent(Transform).position.y" in first["rejected"][0]["content"]
    assert "Transform.getMutable" not in first["rejected"][0]["content"]
    assert first["prompt"][0]["role"] == "user" and first["prompt"][0]["content"].startswith(
        "Raises every entity."
    )
    assert first["negative_kind"] == "deprecated_api" and first["language"] == "typescript"
    assert len({row["id"] for row in rows}) == 2
    assert context.counts["dpo_rule_matched_0"] == 1 and "dpo_rule_matched_2" not in context.counts


def test_rules_apply_only_to_their_languages(context_for):
    context = context_for(deprecated_apis=SDK6)
    assert list(dpo_rows(segment_document(SYSTEM, language="gdscript"), context)) == []


PATHS = [
    "Cargo.toml",
    "README.md",
    "src/lib.rs",
    "src/tests.rs",
    "frontend/src/index.ts",
    "frontend/package.json",
]


def test_tree_paths_reads_back_what_render_tree_wrote():
    tree = render_tree("near-guestbook", PATHS).text
    assert sorted(tree_paths(tree)) == sorted(PATHS)
    assert tree_paths(render_tree("big", PATHS, max_entries=3).text) is None  # a cut tree is not read


def test_corruption_changes_exactly_one_path_deterministically():
    for seed in range(20):
        new_paths, rule = corrupt_paths(PATHS, random.Random(seed))
        changed = set(new_paths) ^ set(PATHS)
        assert len(changed) == 2 and len(new_paths) == len(PATHS)
        assert rule.split(":")[0] in ("moved_to_root", "moved_into_directory", "renamed_case")
        assert corrupt_paths(PATHS, random.Random(seed)) == (new_paths, rule)


def _tree_document(paths: list[str], readme: str = "# Guestbook\n\nA NEAR contract.") -> object:
    meta = RepoTreeMeta(repo="near-guestbook", commit="", split="train", license="MIT", readme=readme,
                        file_count=len(paths), directory_count=2)  # fmt: skip
    return make_document(render_tree("near-guestbook", paths).text, meta)


def test_tree_pair_chosen_is_the_real_tree_rejected_a_corrupted_one(context_for):
    context = context_for()
    (row,) = dpo_rows(_tree_document(PATHS), context)
    chosen, rejected = row["chosen"][0]["content"], row["rejected"][0]["content"]
    assert chosen == render_tree("near-guestbook", PATHS).text and rejected != chosen
    assert rejected.endswith(chosen.rsplit("\n", 1)[1]) or "files" in rejected.rsplit("\n", 1)[1]
    assert row["negative_kind"] == "corrupted_tree" and "->" in row["rule"]
    assert (
        "near-guestbook" in row["prompt"][0]["content"] and "A NEAR contract." in row["prompt"][0]["content"]
    )
    assert list(dpo_rows(_tree_document(PATHS), context_for())) == [row]  # same seed, same pair


def test_negative_kinds_select_the_makers(context_for):
    context = context_for(dpo=DpoSettings(negative_kinds=("deprecated_api",)))
    assert list(dpo_rows(_tree_document(PATHS), context)) == []
    context = context_for(dpo=DpoSettings(negative_kinds=("corrupted_tree",)), deprecated_apis=SDK6)
    assert list(dpo_rows(segment_document(SYSTEM, language="typescript"), context)) == []
