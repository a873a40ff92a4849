"""Each repository's license as an SPDX expression, detected once in the driver when the plan is made.

License texts are matched by `licenseclassifier` (a pure-Python port of Google's licensecheck: it finds
every license text in a file, trimmed or reflowed ones too, in a few milliseconds); SPDX expressions are
parsed, normalised (`GPL-3.0` → `GPL-3.0-only`) and checked against the allowlist with `license-expression`.
What no library reads — a README's "Licensed under either of ... at your option" or a Cargo.toml
`license = "MIT OR Apache-2.0"` — is read here, and only decides between `OR` and `AND`, or names a license
when the repository ships no license file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from license_expression import (
    AND,
    OR,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
)
from licenseclassifier import identify_license

from codetune.definitions.licenses import _licensing, normalize_expression
from codetune.definitions.licenses import normalize_license_id as normalize_license_id  # re-exported
from codetune.documents import UNKNOWN_LICENSE
from codetune.sources.snapshot import RepositorySnapshot, TreeEntry, find_readme

# LICENSE, LICENSE.md, LICENSE-MIT, LICENCE.txt, COPYING, COPYING.LESSER, UNLICENSE (top level only).
LICENSE_FILE = re.compile(r"^(?:un)?licen[cs]e(?:[-._][\w.-]+)?$|^copying(?:[-._][\w.-]+)?$", re.IGNORECASE)
MANIFESTS = ("Cargo.toml", "package.json", "pyproject.toml")
MAX_TEXT_CHARS = 100_000  # license texts are < 40 KB (AGPL-3.0); a longer file is cut, not scanned whole
LICENSE_SKIP_PREFIX = "license_not_allowed"  # a skipped source's reason: license_not_allowed:<expression>
SHORT_NOTICE_CHARS = 2_000  # a license file this short may just name its license ("MIT, see README")

# A statement that the licenses are alternatives (Rust's "Licensed under either of ... at your option").
_CHOICE = re.compile(
    r"(?i:\beither\s+of\b|at\s+your\s+(?:option|choice)|\bdual[- ]licen[cs]|\bmulti[- ]licen[cs])"
    r"|[\w.+-]\s+OR\s+[\w.+-]"  # an SPDX-style "MIT OR Apache-2.0"
)
# The GPL notice's "or (at your option) any later version" is a version range, not a choice of licenses.
_LATER_VERSION = re.compile(r"or\s*\(?\s*at\s+your\s+option\s*\)?\s*any\s+later\s+version", re.IGNORECASE)
_LICENSE_HEADING = re.compile(r"^(?:#{1,6}\s*|\*\*)?licen[cs](?:e|ing)\b.*$", re.IGNORECASE | re.MULTILINE)
_NEXT_HEADING = re.compile(r"^(?:#{1,6}\s|\S.*\n[=\-~^]{3,}\s*$)", re.MULTILINE)

# License names as people write them in READMEs and one-line license files → SPDX ids.
_NAMED_LICENSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), spdx)
    for pattern, spdx in (
        (r"\bMIT\b", "MIT"),
        (r"\bApache(?:[- ]License)?,?[- ]?(?:Version\s*|v)?2(?:\.0)?\b", "Apache-2.0"),
        (r"\bBSD[- ]?3[- ]Clause\b|\b3-Clause BSD\b", "BSD-3-Clause"),
        (r"\bBSD[- ]?2[- ]Clause\b|\b2-Clause BSD\b", "BSD-2-Clause"),
        (r"\bISC\b", "ISC"),
        (r"\bUnlicense\b", "Unlicense"),
        (r"\bCC0(?:[- ]1\.0)?\b", "CC0-1.0"),
        (r"\b0BSD\b", "0BSD"),
        (r"\bzlib\s+license\b", "Zlib"),
        (r"\bMPL[- ]?2(?:\.0)?\b|\bMozilla\s+Public\s+License,?\s+(?:Version\s*|v)?2\.0\b", "MPL-2.0"),
    )
)
_TOML_LICENSE = re.compile(r'^license\s*=\s*(?:"([^"]+)"|\{\s*text\s*=\s*"([^"]+)"\s*\})', re.MULTILINE)
_GPL_NAME = re.compile(
    r"\b(?P<family>AGPL|LGPL|GPL)[- ]?v?(?P<version>2\.1|[23])(?:\.0)?(?P<later>\+|-or-later|\s+or\s+later)?",
    re.IGNORECASE,
)


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _normalized_ids(ids: Iterable[str]) -> list[str]:
    normalized = []
    for license_id in ids:
        try:
            normalized.append(normalize_license_id(license_id))
        except ValueError:  # an id licenseclassifier knows but the SPDX list does not: not a verdict
            continue
    return _unique(normalized)


def license_texts_in(text: str) -> list[str]:
    """SPDX ids of the license texts (or standard notices) found in `text`, in order of appearance."""
    return _normalized_ids(match.id for match in identify_license(text[:MAX_TEXT_CHARS]))


def licenses_named_in(text: str) -> list[str]:
    """SPDX ids that a short statement names ("Licensed under the MIT license", "GPLv3 or later")."""
    found = [(match.start(), spdx) for pattern, spdx in _NAMED_LICENSES for match in pattern.finditer(text)]
    for match in _GPL_NAME.finditer(text):
        family, version = match.group("family").upper(), match.group("version")
        version = version if "." in version else f"{version}.0"
        suffix = "or-later" if match.group("later") else "only"
        found.append((match.start(), f"{family}-{version}-{suffix}"))
    return _normalized_ids(spdx for _, spdx in sorted(found))


def readme_license_section(readme: str) -> str:
    """The README's "License" section, or its lines that say "licensed under" when it has no such section."""
    heading = _LICENSE_HEADING.search(readme)
    if heading is not None:
        first_line_end = readme.find("\n", heading.start())
        body_start = len(readme) if first_line_end < 0 else first_line_end + 1
        end = _NEXT_HEADING.search(readme, body_start)
        return readme[heading.start() : end.start() if end else len(readme)]
    return "\n".join(line for line in readme.splitlines() if re.search(r"licen[cs]ed\s+under", line, re.I))


def states_a_choice(text: str) -> bool:
    """Whether a license statement offers its licenses as alternatives (dual licensing)."""
    return bool(_CHOICE.search(_LATER_VERSION.sub("", text)))


def declared_expression(manifests: dict[str, str]) -> str | None:
    """The `license` an author declared in Cargo.toml, package.json or pyproject.toml, if it is SPDX."""
    for name in MANIFESTS:
        text = manifests.get(name)
        if text is None:
            continue
        if name == "package.json":
            try:
                value = json.loads(text).get("license")
            except (json.JSONDecodeError, AttributeError):
                continue
        else:
            match = _TOML_LICENSE.search(text)
            value = (match.group(1) or match.group(2)) if match else None
        if not isinstance(value, str):
            continue
        try:
            return normalize_expression(value)
        except ValueError:
            continue
    return None


def expression_ids(expression: str) -> set[str]:
    return {symbol.key for symbol in _licensing().license_symbols(_licensing().parse(expression))}


def combine(ids: list[str], declared: str | None, choice: bool) -> str:
    """One expression for several license texts: the declared one if it names the same licenses, else
    `OR` when a statement offers a choice, else `AND` (you must honour every license a repository ships)."""
    if declared is not None and expression_ids(declared) == set(ids):
        return declared
    if len(ids) == 1:
        return ids[0]
    return normalize_expression((" OR " if choice else " AND ").join(sorted(ids)))


def license_file_ids(text: str) -> list[str]:
    """The licenses in a license file: full texts, or the names a short notice gives ("MIT, see README")."""
    ids = license_texts_in(text)
    if not ids and len(text) < SHORT_NOTICE_CHARS:
        ids = licenses_named_in(text)
    return ids


def _read_texts(snapshot: RepositorySnapshot, paths: list[str]) -> dict[str, str]:
    return {
        path: data[: MAX_TEXT_CHARS * 4].decode("utf-8", errors="replace")[:MAX_TEXT_CHARS]
        for path, data in snapshot.read_files(paths)
    }


def detect_license(snapshot: RepositorySnapshot, entries: list[TreeEntry]) -> str:
    """The repository's license as an SPDX expression, or `unknown`.

    License files decide which licenses; a manifest declaration or a README statement only decides how
    they combine. License files that match no known text mean custom terms: `unknown`, whatever the README
    says. With no license file, a manifest declaration, then the README's license section are used.
    """
    top_level = sorted(entry.path for entry in entries if entry.kind == "file" and "/" not in entry.path)
    license_paths = [path for path in top_level if LICENSE_FILE.match(path)]
    readme_path = find_readme(entries)
    wanted = license_paths + [name for name in MANIFESTS if name in top_level]
    texts = _read_texts(snapshot, wanted + ([readme_path] if readme_path else []))
    statement = readme_license_section(texts.get(readme_path, "")) if readme_path else ""
    declared = declared_expression({name: texts[name] for name in MANIFESTS if name in texts})
    choice = states_a_choice(statement) or (declared is not None and " OR " in declared)
    if license_paths:
        ids = _unique(spdx for path in license_paths for spdx in license_file_ids(texts.get(path, "")))
        return combine(ids, declared, choice) if ids else UNKNOWN_LICENSE
    if declared is not None:
        return declared
    if not statement.strip():  # nothing to classify: spares loading licenseclassifier's corpus (~70 ms)
        return UNKNOWN_LICENSE
    ids = license_texts_in(statement) or licenses_named_in(statement)
    return combine(ids, None, states_a_choice(statement)) if ids else UNKNOWN_LICENSE


def _allows(node: object, allowed: frozenset[str]) -> bool:
    if isinstance(node, LicenseWithExceptionSymbol):  # an exception only adds permissions
        return node.license_symbol.key in allowed
    if isinstance(node, LicenseSymbol):
        return node.key in allowed
    if isinstance(node, OR):  # a choice: one allowed alternative is enough
        return any(_allows(arg, allowed) for arg in node.args)
    if isinstance(node, AND):  # every license applies
        return all(_allows(arg, allowed) for arg in node.args)
    return False


def license_allowed(expression: str, allowed: Iterable[str]) -> bool:
    """Whether an expression may be used under the allowlist; `unknown` never is."""
    if expression == UNKNOWN_LICENSE:
        return False
    return _allows(_licensing().parse(expression), frozenset(allowed))


def license_skip_reason(expression: str, allowed: Iterable[str], opted_in: bool) -> str:
    """ "" when the repository is built, else `license_not_allowed:<expression>` (the reason shown)."""
    if opted_in or license_allowed(expression, allowed):
        return ""
    return f"{LICENSE_SKIP_PREFIX}:{expression}"


def hub_license(expressions: Iterable[str]) -> str:
    """The card's YAML `license:`: the Hub's id when every built repository has the same single license."""
    distinct = set(expressions)
    if len(distinct) != 1:
        return "other"
    (expression,) = distinct
    if expression == UNKNOWN_LICENSE:
        return "unknown"
    if " " in expression or expression.endswith("-or-later"):
        return "other"
    return expression.lower().removesuffix("-only")  # the Hub writes gpl-3.0 for GPL-3.0-only
