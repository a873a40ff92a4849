"""Secret and PII redaction: a datatrove formatter that replaces each finding with a typed placeholder.

The finders live beside this module, one concern each: `private_keys` (PEM blocks and web3 key material),
`secret_tokens` (detect-secrets' token rules, our vendor formats from `token_formats`, secrets assigned to
secret-like names), `web_credentials` (URL passwords, auth headers, curl, Kubernetes secrets), `mnemonics`
(BIP-39 in every wordlist, Electrum seeds) and `personal_data` (e-mail and public IP addresses). A prefilter
(`secret_scan.TextScan`) makes one cheap pass per text so the costly detectors read only lines that can hold
a secret. Public test values (the Hardhat/Anvil mnemonic and keys), hashes, UUIDs, versions, addresses,
public keys, reserved example domains and private IPs are kept. Only counts per type are reported, never
the values. Coverage against gitleaks' catalogue: `docs/secrets.md`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.formatters.base import BaseFormatter

from codetune.documents import FileMeta, RecordKind, RepoTreeMeta, record_kind
from codetune.ecosystem import REDACTION_TYPES, RedactionSettings
from codetune.hygiene.mnemonics import find_mnemonics
from codetune.hygiene.personal_data import find_emails, find_ip_addresses
from codetune.hygiene.private_keys import PUBLIC_TEST_KEYS, PUBLIC_TEST_MNEMONIC, find_private_keys
from codetune.hygiene.secret_scan import Finding, TextScan
from codetune.hygiene.secret_tokens import find_api_keys
from codetune.hygiene.web_credentials import find_web_credentials

__all__ = [
    "PLACEHOLDERS",
    "PUBLIC_TEST_KEYS",
    "PUBLIC_TEST_MNEMONIC",
    "Finding",
    "SecretRedactor",
    "find_secrets",
    "redact_text",
]

PLACEHOLDERS = {
    "email": "<EMAIL>",
    "ip_address": "<IP_ADDRESS>",
    "private_key": "<PRIVATE_KEY>",
    "api_key": "<API_KEY>",
    "mnemonic": "<MNEMONIC>",
}


def _api_keys_and_credentials(scan: TextScan) -> Iterator[Finding]:
    yield from find_api_keys(scan)
    yield from find_web_credentials(scan)


# --- putting it together -----------------------------------------------------------------------------

FINDERS: dict[str, Callable[[TextScan], Iterator[Finding]]] = {
    "private_key": find_private_keys,
    "api_key": _api_keys_and_credentials,
    "mnemonic": find_mnemonics,
    "email": find_emails,
    "ip_address": find_ip_addresses,
}
assert set(FINDERS) == set(REDACTION_TYPES) == set(PLACEHOLDERS)


def find_secrets(text: str, kinds: tuple[str, ...] = REDACTION_TYPES) -> list[Finding]:
    """Non-overlapping findings in text order; where two overlap, the earlier (then the longer) wins."""
    priority = {kind: index for index, kind in enumerate(FINDERS)}
    scan = TextScan(text)
    findings = sorted(
        (finding for kind in kinds for finding in FINDERS[kind](scan)),
        key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]),
    )
    kept: list[Finding] = []
    for finding in findings:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def redact_text(text: str, kinds: tuple[str, ...] = REDACTION_TYPES) -> tuple[str, Counter[str]]:
    """The text with each finding replaced by its placeholder, and how many of each kind were replaced."""
    findings = find_secrets(text, kinds)
    if not findings:
        return text, Counter()
    pieces, cursor = [], 0
    for finding in findings:
        pieces += [text[cursor : finding.start], PLACEHOLDERS[finding.kind]]
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces), Counter(finding.kind for finding in findings)


class SecretRedactor(BaseFormatter):
    """Redacts every document's text, and a repository tree's README (metadata that becomes a column)."""

    name = "🔏 Secret and PII redaction"

    def __init__(self, settings: RedactionSettings):
        super().__init__()
        self.kinds = settings.types

    def format(self, text: str) -> str:
        redacted, counts = redact_text(text, self.kinds)
        for kind, count in sorted(counts.items()):
            self.stat_update(f"redacted_{kind}", value=count)
        return redacted

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for document in data:
            with self.track_time():
                self.redact(document)
            yield document

    def redact(self, document: Document) -> None:
        text = self.format(document.text)
        kind = record_kind(document)
        if kind is RecordKind.FILE and text != document.text:
            meta = FileMeta.from_document(document).with_changes(size=len(text.encode("utf-8")))
            document.metadata = meta.to_metadata()
        elif kind is RecordKind.REPO_TREE:
            meta = RepoTreeMeta.from_document(document)
            document.metadata = meta.with_changes(readme=self.format(meta.readme)).to_metadata()
        document.text = text
