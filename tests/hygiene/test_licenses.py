"""License detection on real git repositories, the allowlist, and the plan's skipped sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.build.plan import make_plan
from codetune.ecosystem import Ecosystem, LicenseSettings, Source
from codetune.errors import EcosystemConfigError
from codetune.hygiene.licenses import (
    detect_license,
    hub_license,
    license_allowed,
    license_skip_reason,
    states_a_choice,
)
from codetune.sources import open_bare_repository
from tests.conftest import MIT_LICENSE
from tests.gitrepo import make_git_repo

# Standard notices people put in LICENSE files instead of the full text.
APACHE_NOTICE = (
    'Licensed under the Apache License, Version 2.0 (the "License");\n'
    "you may not use this file except in compliance with the License.\n"
    "You may obtain a copy of the License at\n\n    http://www.apache.org/licenses/LICENSE-2.0\n\n"
    "Unless required by applicable law or agreed to in writing, software\n"
    'distributed under the License is distributed on an "AS IS" BASIS,\n'
    "WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n"
    "See the License for the specific language governing permissions and\n"
    "limitations under the License.\n"
)
GPL3_NOTICE = (
    "This program is free software: you can redistribute it and/or modify it under the terms of the GNU "
    "General Public License as published by the Free Software Foundation, either version 3 of the License, "
    "or (at your option) any later version.\n"
)
CHOICE_README = (
    "# lib\n\nA library.\n\n## License\n\nLicensed under either of\n\n"
    " * Apache License, Version 2.0 (LICENSE-APACHE)\n * MIT license (LICENSE-MIT)\n\nat your option.\n"
)
CODE = {"src/lib.py": "def answer():\n    return 42\n"}


def license_of(tmp_path: Path, files: dict[str, str]) -> str:
    repo = tmp_path / "repo"
    make_git_repo(repo, {**CODE, **files})
    snapshot = open_bare_repository(repo / ".git", "HEAD")
    return detect_license(snapshot, list(snapshot.entries()))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"LICENSE": MIT_LICENSE}, "MIT"),
        ({"LICENSE.md": "# License\n\n" + MIT_LICENSE}, "MIT"),
        ({"COPYING": GPL3_NOTICE}, "GPL-3.0-or-later"),
        ({"LICENSE": "MIT License\n\nSee the README for details.\n"}, "MIT"),  # a short notice names it
        (
            {"LICENSE-MIT": MIT_LICENSE, "LICENSE-APACHE": APACHE_NOTICE, "README.md": CHOICE_README},
            "Apache-2.0 OR MIT",
        ),
        (
            {
                "LICENSE-MIT": MIT_LICENSE,
                "LICENSE-APACHE": APACHE_NOTICE,
                "Cargo.toml": '[package]\nname = "lib"\nlicense = "MIT OR Apache-2.0"\n',
            },
            "MIT OR Apache-2.0",  # the declared expression, in the author's order
        ),
        ({"LICENSE": MIT_LICENSE, "COPYING": GPL3_NOTICE}, "GPL-3.0-or-later AND MIT"),  # no OR statement
        ({"README.md": "# Game\n\n## License\n\nReleased under the MIT license.\n"}, "MIT"),
        ({"package.json": '{"name": "scene", "license": "ISC"}'}, "ISC"),
        ({"README.md": "# Game\n\nNothing about terms here.\n"}, "unknown"),
        ({"LICENSE": "All rights reserved. Ask us before you copy any of this code.\n"}, "unknown"),
        ({}, "unknown"),
    ],
    ids=[
        "mit",
        "markdown",
        "gpl-notice",
        "short-notice",
        "dual-by-readme",
        "dual-by-cargo",
        "ambiguous-is-and",
        "readme-only",
        "manifest-only",
        "readme-silent",
        "custom-terms",
        "missing",
    ],
)
def test_license_is_detected_as_an_spdx_expression(tmp_path: Path, files: dict[str, str], expected: str):
    assert license_of(tmp_path, files) == expected


def test_gpl_later_version_wording_is_not_a_choice_of_licenses():
    assert not states_a_choice(GPL3_NOTICE)
    assert states_a_choice(CHOICE_README) and states_a_choice("license = MIT OR Apache-2.0")


def test_allowlist_semantics_or_needs_one_and_needs_all():
    allowed = LicenseSettings().allowed
    assert license_allowed("MIT OR GPL-3.0-only", allowed)
    assert not license_allowed("MIT AND GPL-3.0-only", allowed)
    assert license_allowed("Apache-2.0 WITH LLVM-exception", allowed)
    assert not license_allowed("unknown", allowed)
    assert not license_allowed("MPL-2.0", allowed)  # weak copyleft: not in the default allowlist
    assert license_allowed("MPL-2.0", LicenseSettings(allowed=("MIT", "MPL-2.0")).allowed)
    assert license_skip_reason("GPL-3.0-only", allowed, opted_in=False) == "license_not_allowed:GPL-3.0-only"
    assert license_skip_reason("GPL-3.0-only", allowed, opted_in=True) == ""


def test_license_settings_validate_and_normalize_spdx_ids():
    assert LicenseSettings(allowed=("mit", "GPL-3.0")).allowed == ("MIT", "GPL-3.0-only")
    with pytest.raises(EcosystemConfigError, match=r"'allowed'.*Not-A-License"):
        LicenseSettings(allowed=("MIT", "Not-A-License"))
    with pytest.raises(EcosystemConfigError, match=r"'allowed'.*expression"):
        LicenseSettings(allowed=("MIT OR Apache-2.0",))
    with pytest.raises(EcosystemConfigError, match="allow_license"):
        Source("/tmp", allow_license="yes")  # type: ignore[arg-type]


def test_yaml_definition_takes_licenses_redaction_and_per_source_opt_in():
    ecosystem = Ecosystem.from_dict(
        {
            "name": "mine",
            "sources": [{"location": "/src/a", "allow_license": True}],
            "licenses": {"allowed": ["MIT", "MPL-2.0"]},
            "redaction": {"types": ["email", "api_key"]},
        }
    )
    assert ecosystem.sources[0].allow_license is True
    assert ecosystem.licenses.allowed == ("MIT", "MPL-2.0")
    assert ecosystem.redaction.types == ("email", "api_key")


def test_plan_skips_repositories_outside_the_allowlist_unless_opted_in(tmp_path: Path):
    make_git_repo(tmp_path / "mit", {**CODE, "LICENSE": MIT_LICENSE})
    make_git_repo(tmp_path / "gpl", {**CODE, "COPYING": GPL3_NOTICE})
    make_git_repo(tmp_path / "bare", CODE)
    make_git_repo(tmp_path / "kept", CODE)
    ecosystem = Ecosystem(
        name="licenses",
        sources=(
            Source(str(tmp_path / "mit")),
            Source(str(tmp_path / "gpl")),
            Source(str(tmp_path / "bare")),
            Source(str(tmp_path / "kept"), allow_license=True),
        ),
    )
    plan = make_plan(ecosystem, tmp_path / "cache")
    by_name = {source.name: source for source in plan.sources}
    assert (by_name["mit"].license, by_name["mit"].skipped) == ("MIT", "")
    assert by_name["gpl"].skipped == "license_not_allowed:GPL-3.0-or-later"
    assert by_name["bare"].skipped == "license_not_allowed:unknown"
    assert (by_name["kept"].license, by_name["kept"].skipped) == ("unknown", "")
    read = {plan.sources[part.source_index].name for task in plan.tasks for part in task.parts}
    assert read == {"mit", "kept"}


def test_card_license_is_the_hub_id_when_every_repository_shares_one():
    assert hub_license(["MIT", "MIT"]) == "mit"
    assert hub_license(["GPL-3.0-only"]) == "gpl-3.0"
    assert hub_license(["MIT", "Apache-2.0"]) == "other"
    assert hub_license(["MIT OR Apache-2.0"]) == "other"
    assert hub_license(["unknown"]) == "unknown"
