"""Repository attributes: validation, per-project detection, the value a file takes, extra columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from datatrove.data import Document

from codetune.definitions.attributes import SUBSET_COLUMN_NAMES, AttributeRule, RepositoryAttribute
from codetune.documents import FileMeta, make_document
from codetune.ecosystem import DEFAULT_EXCLUDED_DIRS, Ecosystem, Source
from codetune.errors import EcosystemConfigError
from codetune.sources import DirectorySnapshot
from codetune.sources.attributes import DetectedAttributes, detect_attributes, unkept_reason
from codetune.subsets import SUBSET_SPECS
from codetune.subsets.attribute_columns import ecosystem_subset
from codetune.subsets.base import SubsetContext

FLAVOUR = RepositoryAttribute(
    name="flavour",
    marker="flavour.cfg",
    rules=(AttributeRule(r"^flavour=(\w+)", r"\1"), AttributeRule(r"^legacy", "old")),
    default="plain",
    keep=("sweet", "sour*"),
)


def snapshot(tmp_path: Path, files: dict[str, str]) -> DirectorySnapshot:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return DirectorySnapshot(tmp_path)


def detect(tmp_path: Path, files: dict[str, str]) -> DetectedAttributes:
    snap = snapshot(tmp_path, files)
    return detect_attributes(snap, list(snap.entries()), (FLAVOUR,), DEFAULT_EXCLUDED_DIRS)


def test_each_file_takes_the_value_of_the_nearest_marked_project(tmp_path: Path):
    detected = detect(
        tmp_path,
        {
            "flavour.cfg": "flavour=sweet\n",
            "a.py": "",
            "sub/flavour.cfg": "[x]\nflavour=sour\n",
            "sub/b.py": "",
            "sub/deeper/c.py": "",
            "other/legacy/flavour.cfg": "legacy project\n",
            "other/legacy/d.py": "",
            "node_modules/pkg/flavour.cfg": "flavour=vendored\n",  # vendored: never a project of ours
        },
    )
    assert detected.for_path("a.py") == {"flavour": "sweet"}
    assert detected.for_path("sub/deeper/c.py") == {"flavour": "sour"}
    assert detected.for_path("other/legacy/d.py") == {"flavour": "old"}
    assert detected.for_path("subway/e.py") == {"flavour": "sweet"}  # a prefix of a name is not a parent
    assert detected.for_repository() == {"flavour": "sweet"}  # the root marker decides
    assert "vendored" not in {value for _, _, value in detected.projects}


def test_without_a_root_marker_the_repository_value_is_the_shared_one_else_the_default(tmp_path: Path):
    shared = detect(tmp_path / "one", {"x/flavour.cfg": "flavour=sweet", "y/flavour.cfg": "flavour=sweet"})
    assert shared.for_repository() == {"flavour": "sweet"}
    assert shared.for_path("README.md") == {"flavour": "sweet"}
    mixed = detect(tmp_path / "two", {"x/flavour.cfg": "flavour=sweet", "y/flavour.cfg": "legacy"})
    assert mixed.for_repository() == {"flavour": "plain"}
    none = detect(tmp_path / "three", {"main.py": ""})
    assert none.for_repository() == {"flavour": "plain"} and none.projects == ()


def test_no_rule_matching_gives_the_default(tmp_path: Path):
    detected = detect(tmp_path, {"flavour.cfg": "something else\n"})
    assert detected.for_repository() == {"flavour": "plain"}


def test_a_repository_without_any_kept_value_is_left_out_whole(tmp_path: Path):
    only_old = detect(tmp_path / "a", {"flavour.cfg": "legacy\n"})
    assert unkept_reason(only_old, (FLAVOUR,)) == "flavour=old not kept"
    partly = detect(tmp_path / "b", {"x/flavour.cfg": "legacy", "y/flavour.cfg": "flavour=sourish"})
    assert unkept_reason(partly, (FLAVOUR,)) == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Flavour"}, "field 'name' must be a lower-case identifier"),
        ({"marker": "conf/flavour.cfg"}, "field 'marker' must be a file name"),
        ({"rules": ()}, "field 'rules' must be a non-empty list"),
        ({"keep": "sweet"}, "field 'keep' must be a list of globs"),
    ],
)
def test_a_malformed_attribute_names_the_field(fields, message):
    base = {"name": "flavour", "marker": "f.cfg", "rules": (AttributeRule("x", "y"),)}
    with pytest.raises(EcosystemConfigError, match=message):
        RepositoryAttribute(**(base | fields))


@pytest.mark.parametrize(
    ("pattern", "value", "message"),
    [("(unclosed", "x", "field 'pattern' is not a valid regex"), (r"v(\d)", r"\2", "refers to a group")],
)
def test_a_malformed_rule_names_the_field(pattern, value, message):
    with pytest.raises(EcosystemConfigError, match=message):
        AttributeRule(pattern, value)


def test_an_attribute_may_not_shadow_a_column(tmp_path: Path):
    clash = RepositoryAttribute(name="language", marker="f.cfg", rules=(AttributeRule("x", "y"),))
    with pytest.raises(
        EcosystemConfigError, match=r"repository_attributes\[0\]\.name' 'language' is already"
    ):
        Ecosystem(name="e", sources=(Source(str(tmp_path)),), repository_attributes=(clash,))


def test_attributes_load_from_plain_data(tmp_path: Path):
    ecosystem = Ecosystem.from_dict(
        {
            "name": "e",
            "sources": [str(tmp_path)],
            "repository_attributes": [
                {
                    "name": "flavour",
                    "marker": "flavour.cfg",
                    "rules": [{"pattern": "^flavour=(\\w+)", "value": "\\1"}],
                    "keep": ["sweet"],
                }
            ],
        }
    )
    (attribute,) = ecosystem.repository_attributes
    assert attribute.rules == (AttributeRule("^flavour=(\\w+)", "\\1"),) and attribute.keep == ("sweet",)


def test_every_subset_gains_one_string_column_per_attribute(tmp_path: Path):
    ecosystem = Ecosystem(name="e", sources=(Source(str(tmp_path)),), repository_attributes=(FLAVOUR,))
    spec = ecosystem_subset(ecosystem, "clm")
    assert list(spec.features)[-1] == "flavour" and spec.features["flavour"].dtype == "string"
    meta = FileMeta("r", "c", "train", "MIT", path="a.py", language="python", role="code", size=1)
    document: Document = make_document("x = 1\n", meta.with_changes(attributes=(("flavour", "sour"),)))
    (row,) = spec.rows(document, SubsetContext(ecosystem))
    assert row["flavour"] == "sour" and row["path"] == "a.py"
    plain = ecosystem_subset(Ecosystem(name="p", sources=(Source(str(tmp_path)),)), "clm")
    assert "flavour" not in plain.features


def test_the_definition_layers_list_of_subset_columns_is_every_column_a_subset_writes():
    assert {column for spec in SUBSET_SPECS.values() for column in spec.columns} == SUBSET_COLUMN_NAMES
