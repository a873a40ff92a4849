"""End to end: licenses and redaction in a real build of small git repositories."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codetune.build.pipeline import BuildOptions, build
from codetune.ecosystem import Ecosystem, Source
from tests.conftest import MIT_LICENSE
from tests.gitrepo import make_git_repo
from tests.hygiene.test_licenses import APACHE_NOTICE, CHOICE_README, GPL3_NOTICE

# Planted in the repositories below; none may survive into any output.
SECRETS = {
    "email": "bob.smith@gmail.com",
    "readme_email": "carol.nguyen@acme-games.io",
    "aws": "AKIACD2TLPO1O0LV8W76",
    "hex_key": "60a077bbd142880e8427abeec12975fd55911ea2cbd390b656a4d2bad821df99",
    "mnemonic_word": "trumpet",
    "pem_body": "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi0aN3d1gY2kF4pQ8vVbnS7wLx",
    "near": "5VmyvbZAk5NRTRdDWu32peASkRkUrFmG39AWhpE5cbkXsf9De5spPnYQkTRdivUMbK5vdsQaHF7Va8pPTZtWbecb",
    "ip": "52.14.33.10",
}
GAME = {
    "LICENSE": MIT_LICENSE,
    "README.md": f"# Game\n\nMaintained by {SECRETS['readme_email']}.\n\n## Controls\n\nArrows move.\n",
    "src/admin.py": (
        '"""Admin helpers."""\n\n\n'
        f'ADMIN = "{SECRETS["email"]}"\nAWS_ACCESS_KEY_ID = "{SECRETS["aws"]}"\n\n\n'
        "def notify(message: str) -> str:\n"
        '    """Send a message to the admin."""\n'
        f'    server = "{SECRETS["ip"]}"\n'
        "    return server + message\n"
    ),
    "scripts/deploy.ts": (
        "// deploy with the team wallet\n"
        f'const PRIVATE_KEY = "0x{SECRETS["hex_key"]}";\n'
        "// recovery: pull hundred plastic distance speak crouch\n"
        "// humble trumpet purse spawn entire divert\n"
        "export function deploy(): string {\n  return PRIVATE_KEY;\n}\n"
    ),
}
LIB = {
    "LICENSE-MIT": MIT_LICENSE,
    "LICENSE-APACHE": APACHE_NOTICE,
    "README.md": CHOICE_README,
    "src/lib.rs": (
        "/// The signer's credentials.\n"
        "pub fn signer() -> &'static str {\n"
        f'    "ed25519:{SECRETS["near"]}"\n'
        "}\n\n"
        "pub const TLS_KEY: &str = concat!(\n"
        '    "-----BEGIN RSA PRIVATE KEY-----\\n",\n'
        f'    "{SECRETS["pem_body"]}\\n",\n'
        '    "-----END RSA PRIVATE KEY-----\\n",\n'
        ");\n"
    ),
}
PLAIN = {"src/tool.py": "def tool():\n    return 'tool'\n"}


@pytest.fixture(scope="module")
def hygiene_ecosystem(tmp_path_factory: pytest.TempPathFactory) -> Ecosystem:
    root = tmp_path_factory.mktemp("hygiene-repos")
    make_git_repo(root / "game", GAME)
    make_git_repo(root / "lib", LIB)
    make_git_repo(root / "gpl-tool", {**PLAIN, "COPYING": GPL3_NOTICE})
    make_git_repo(root / "unlicensed", PLAIN)
    make_git_repo(root / "opted-in", {"src/helper.py": "def helper():\n    return 'help'\n"})
    return Ecosystem(
        name="hygiene",
        sources=(
            Source(str(root / "game"), name="org/game"),
            Source(str(root / "lib"), name="org/lib"),
            Source(str(root / "gpl-tool"), name="org/gpl-tool"),
            Source(str(root / "unlicensed"), name="org/unlicensed"),
            Source(str(root / "opted-in"), name="org/opted-in", allow_license=True),
        ),
    )


def build_into(ecosystem: Ecosystem, root: Path, name: str, num_proc: int):
    return build(
        ecosystem,
        BuildOptions(
            out_dir=root / name, work_dir=root / "work", cache_dir=root / "cache", num_proc=num_proc
        ),
    )


@pytest.fixture(scope="module")
def hygiene_build(hygiene_ecosystem: Ecosystem, tmp_path_factory: pytest.TempPathFactory):
    return build_into(hygiene_ecosystem, tmp_path_factory.mktemp("hygiene-out"), "out", num_proc=1)


def all_rows(out_dir: Path, config: str) -> list[dict]:
    return [
        row
        for path in sorted((out_dir / config).glob("*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]


def test_every_row_carries_its_repository_license(hygiene_build):
    expected = {"org/game": "MIT", "org/lib": "Apache-2.0 OR MIT", "org/opted-in": "unknown"}
    for config in ("clm", "ast", "trees"):
        rows = all_rows(hygiene_build.out_dir, config)
        assert rows
        assert {row["repo"]: row["license"] for row in rows} == {
            repo: license for repo, license in expected.items() if repo in {row["repo"] for row in rows}
        }
    assert {row["repo"] for row in all_rows(hygiene_build.out_dir, "trees")} == set(expected)


def test_excluded_repositories_are_listed_with_their_reason_in_summary_and_card(hygiene_build):
    skipped = {source.name: source.skipped for source in hygiene_build.summary.sources if source.skipped}
    assert skipped == {
        "org/gpl-tool": "license_not_allowed:GPL-3.0-or-later",
        "org/unlicensed": "license_not_allowed:unknown",
    }
    assert "2 excluded by license" in hygiene_build.summary.render()
    card = (hygiene_build.out_dir / "README.md").read_text()
    assert "Excluded by license: org/gpl-tool (GPL-3.0-or-later), org/unlicensed (unknown)." in card
    assert "| skipped: license_not_allowed:GPL-3.0-or-later |" in card
    commit = next(s.commit for s in hygiene_build.summary.sources if s.name == "org/lib")
    assert f"| `{commit}` | Apache-2.0 OR MIT |" in card  # attribution: license and commit per repository
    assert "\nlicense: other\n" in card  # repositories under different licenses


def test_planted_secrets_are_absent_from_every_output_file(hygiene_build):
    out_dir = hygiene_build.out_dir
    texts = [
        str(value)
        for config in ("clm", "ast", "trees")
        for row in all_rows(out_dir, config)
        for value in row.values()
    ]
    texts += [(out_dir / "README.md").read_text(), (out_dir / ".codetune" / "summary.json").read_text()]
    everything = "\n".join(texts)
    for name, secret in SECRETS.items():
        assert secret not in everything, name
    clm = {row["path"]: row for row in all_rows(out_dir, "clm")}
    assert '"<EMAIL>"' in clm["src/admin.py"]["text"] and "<MNEMONIC>" in clm["scripts/deploy.ts"]["text"]
    assert clm["src/admin.py"]["size"] == len(clm["src/admin.py"]["text"].encode())
    readme = next(row["readme"] for row in all_rows(out_dir, "trees") if row["repo"] == "org/game")
    assert "Maintained by <EMAIL>." in readme


def test_redaction_counts_appear_in_summary_and_card(hygiene_build):
    redacted = hygiene_build.summary.redacted
    assert redacted["email"] >= 3  # admin.py, README.md as a file, README.md as the tree's readme
    assert redacted["private_key"] == 3 and redacted["mnemonic"] == 1
    assert redacted["api_key"] >= 1 and redacted["ip_address"] == 1
    assert "redacted: " in hygiene_build.summary.render()
    card = (hygiene_build.out_dir / "README.md").read_text()
    assert f"| `<PRIVATE_KEY>` | {redacted['private_key']} |" in card


def test_output_is_byte_identical_across_num_proc(
    hygiene_ecosystem: Ecosystem, hygiene_build, tmp_path: Path
):
    again = build_into(hygiene_ecosystem, tmp_path, "again", num_proc=2)

    def digests(out_dir: Path) -> dict[str, str]:
        return {
            str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out_dir.glob("*/*.parquet"))
        }

    assert digests(again.out_dir) and digests(again.out_dir) == digests(hygiene_build.out_dir)
    assert again.summary.redacted == hygiene_build.summary.redacted
