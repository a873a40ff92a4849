"""Ecosystem definitions validate at creation and name the faulty field."""

import pytest

from codetune.ecosystem import Ecosystem, FileFilterSettings, Source, SplitSettings
from codetune.errors import EcosystemConfigError


def test_source_display_name_comes_from_url_or_folder():
    assert Source("https://host/org/repo.git").display_name == "org/repo"
    assert Source("git@github.com:org/repo.git").display_name == "org/repo"
    assert Source("/home/me/src/my-game/").display_name == "my-game"
    assert Source("/x/y", name="custom").display_name == "custom"


def test_source_globs_select_paths():
    source = Source("/x", include=("src/*",), exclude=("src/skip*",))
    assert source.selects("src/a.py")
    assert not source.selects("src/skip_me.py")
    assert not source.selects("docs/a.md")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "tests"}, "role"),
        ({"split": "eval"}, "split"),
        ({"include": "src/*"}, "include"),
        ({"revision": ""}, "revision"),
    ],
)
def test_malformed_source_names_the_field(kwargs, field):
    with pytest.raises(EcosystemConfigError, match=f"field '{field}'"):
        Source("/x", **kwargs)


def test_duplicate_repository_names_are_rejected_with_both_indices():
    with pytest.raises(EcosystemConfigError, match=r"sources\[1\]\.name.*sources\[0\]"):
        Ecosystem(name="e", sources=(Source("/a/app"), Source("/b/app")))


def test_ecosystem_rejects_unknown_subset_and_empty_sources():
    with pytest.raises(EcosystemConfigError, match="field 'subsets'"):
        Ecosystem(name="e", sources=(Source("/a"),), subsets=("clm", "nope"))
    with pytest.raises(EcosystemConfigError, match="field 'sources'"):
        Ecosystem(name="e", sources=())


def test_filter_settings_reject_bad_thresholds_and_languages():
    with pytest.raises(EcosystemConfigError, match="field 'min_alphanum_fraction'"):
        FileFilterSettings(min_alphanum_fraction=2)
    with pytest.raises(EcosystemConfigError, match=r"field 'languages'.*cobol"):
        FileFilterSettings(languages=("python", "cobol"))
    with pytest.raises(EcosystemConfigError, match="field 'test_fraction'"):
        SplitSettings(test_fraction=1.5)


def test_from_dict_builds_nested_settings_and_names_unknown_keys():
    ecosystem = Ecosystem.from_dict(
        {
            "name": "games",
            "sources": [{"location": "/src/a", "split": "test"}, "/src/b"],
            "filters": {"max_line_length": 500, "languages": ["gdscript"]},
            "splits": {"test_fraction": 0.2},
        }
    )
    assert ecosystem.sources[0].split == "test"
    assert ecosystem.filters.languages == ("gdscript",)
    assert ecosystem.splits.test_fraction == 0.2
    with pytest.raises(EcosystemConfigError, match="unknown field 'max_lines'"):
        Ecosystem.from_dict({"name": "g", "sources": ["/a"], "filters": {"max_lines": 3}})
    with pytest.raises(EcosystemConfigError, match="field 'name'"):
        Ecosystem.from_dict({"name": "bad name!", "sources": ["/a"]})
    with pytest.raises(EcosystemConfigError, match="'location' is required"):
        Ecosystem.from_dict({"name": "g", "sources": [{"role": "docs"}]})
