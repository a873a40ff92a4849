"""The `codetune` command: ad-hoc sources, definitions by path or name, clear errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from codetune.cli import main
from tests.conftest import GitFixtures


def test_adhoc_build_of_a_directory_a_bare_repo_and_a_url_at_a_revision(
    tmp_path: Path, git_fixtures: GitFixtures, capsys
):
    code = main(
        [
            "build",
            str(git_fixtures.bad),
            str(git_fixtures.game_bare),
            f"{git_fixtures.game_url}@v1",
            "--name",
            "mine",
            "--out",
            str(tmp_path / "out"),
            "--work-dir",
            str(tmp_path / "work"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-progress",
            "--subsets",
            "clm,trees",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "files:" in printed and "dropped binary" in printed and "clm " in printed
    assert not (tmp_path / "out" / "ast").exists()
    trees = pq.read_table(tmp_path / "out" / "trees" / "train-00000-of-00001.parquet").to_pylist()
    url_name = f"{git_fixtures.game_bare.parent.name}/game"  # org/repo from the URL path
    assert sorted(row["repo"] for row in trees) == sorted(["bad", "game", url_name])


def test_malformed_definitions_exit_2_naming_the_field(tmp_path: Path, capsys):
    definition = tmp_path / "broken.yaml"
    definition.write_text("name: games\nsources:\n  - location: /tmp/x\n    split: eval\n")
    assert main(["build", str(definition), "--out", str(tmp_path / "out")]) == 2
    assert "field 'split'" in capsys.readouterr().err
    definition.write_text("name: games\nsources: [/tmp/x]\nfilters: {max_line_lenght: 10}\n")
    assert main(["build", str(definition), "--out", str(tmp_path / "out")]) == 2
    assert "unknown field 'max_line_lenght'" in capsys.readouterr().err


def test_unknown_ecosystem_name_lists_the_known_ones(capsys):
    assert main(["build", "no-such-ecosystem"]) == 2
    error = capsys.readouterr().err
    assert "unknown ecosystem 'no-such-ecosystem'" in error and "example" in error


def test_list_shows_registered_ecosystems_with_sources_and_subsets(capsys):
    assert main(["list"]) == 0
    printed = capsys.readouterr().out
    assert (
        "example:" in printed
        and "dcl-scene (code) [test]" in printed
        and "subsets: clm, ast, trees" in printed
    )


def test_build_without_arguments_builds_the_bundled_example(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-progress"]) == 0
    assert (tmp_path / "out" / "example" / "README.md").is_file()
    assert "codetune build of 'example'" in capsys.readouterr().out


def test_adhoc_build_of_an_unlicensed_folder_needs_allow_any_license(tmp_path: Path, capsys):
    game = tmp_path / "my-game"
    (game / "scripts").mkdir(parents=True)
    (game / "scripts" / "player.gd").write_text("extends Node\n\nfunc jump() -> void:\n\tpass\n")
    common = [
        "build",
        str(game),
        "--out",
        str(tmp_path / "out"),
        "--work-dir",
        str(tmp_path / "work"),
        "--no-progress",
    ]
    assert main(common) == 2
    error = capsys.readouterr().err
    assert "license_not_allowed:unknown" in error and "--allow-any-license" in error
    assert main([*common, "--allow-any-license"]) == 0
    clm = pq.read_table(tmp_path / "out" / "clm" / "train-00000-of-00001.parquet").to_pylist()
    assert [(row["path"], row["license"]) for row in clm] == [("scripts/player.gd", "unknown")]
    assert main(["build", "--allow-any-license", "--out", str(tmp_path / "x")]) == 2
    assert "ad-hoc sources only" in capsys.readouterr().err


def test_the_command_module_imports_no_build_machinery():
    """Local workers run the `codetune` script again as `__mp_main__`: were `codetune.cli` to import the
    pipeline (and with it `datasets`), every worker of every stage would pay that import before its task."""
    import subprocess
    import sys

    probe = (
        "import sys, codetune.cli; print(sorted({'datasets', 'codetune.build.pipeline'} & set(sys.modules)))"
    )
    imported = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert imported.stdout.strip() == "[]"
