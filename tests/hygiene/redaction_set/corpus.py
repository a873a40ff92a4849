"""The labelled redaction set: planted secrets with their labels, clean look-alikes, and how to score.

`planted/` holds files with secrets of every type planted in realistic places (a PEM block split over
string concatenations, a mnemonic wrapped over two comment lines, ...), labelled in `labels.json` by the
exact planted text. `clean/` holds hand-written look-alikes; `generated_clean_files` adds many more, built
deterministically from a seed: hashes, UUIDs, git SHAs, versions, integrity strings, base64 assets, hex
colours, addresses, private IPs, example e-mails, NEAR public keys, prose, and the public test values.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent
TYPES = ("email", "ip_address", "private_key", "api_key", "mnemonic")


@dataclass(frozen=True)
class Planted:
    name: str
    text: str
    secrets: tuple[tuple[str, str], ...]  # (type, exact planted text)


def planted_files(set_dir: Path = SET_DIR) -> list[Planted]:
    labels = json.loads((set_dir / "labels.json").read_text())
    return [
        Planted(
            name, (set_dir / "planted" / name).read_text(), tuple((s["type"], s["value"]) for s in labelled)
        )
        for name, labelled in sorted(labels.items())
    ]


def handwritten_clean_files(set_dir: Path = SET_DIR) -> list[tuple[str, str]]:
    return [(path.name, path.read_text()) for path in sorted((set_dir / "clean").iterdir())]


_PROSE_WORDS = re.split(
    r"\s+",
    "the player can jump over each wall and collect every coin before timer ends when you are ready "
    "to build game for web upload bundle also run local node deploy contract script prints address "
    "transaction hash gas used read logs if anything fails then try again with fresh account scene "
    "entity moves along path signal emitted once health reaches zero open project editor press play",
)
_CONSTANTS = ("ADMIN_ROLE", "PAUSER_ROLE", "BEACON_SLOT", "PERMIT_TYPEHASH")


def _hex(rng: random.Random, digits: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(digits))


def _b64(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = _BASE58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _look_alike_lines(rng: random.Random) -> list[str]:
    """One line of each kind of value that resembles a secret but is not one."""
    digest = hashlib.sha256(rng.randbytes(16)).hexdigest()
    return [
        f'const txHash = "0x{_hex(rng, 64)}";',
        f'checksum = "{digest}"',
        f"    sha256: {_hex(rng, 64)}",
        f"bytes32 constant {rng.choice(_CONSTANTS)} = 0x{_hex(rng, 64)};",
        f'blockHash: "0x{_hex(rng, 64)}",',
        f"merkle_root = 0x{_hex(rng, 64)}",
        f'request_id = "{uuid.UUID(bytes=rng.randbytes(16), version=4)}"',
        f"commit {_hex(rng, 40)}",
        f'version = "{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"',
        f'"version": "{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",',
        f'"integrity": "sha512-{_b64(rng, 64)}",',
        f'icon: "data:image/png;base64,{_b64(rng, rng.randint(60, 300))}"',
        f"  color: #{_hex(rng, 6)}; border-color: #{_hex(rng, 3)};",
        f'owner: "0x{_hex(rng, 40)}",',
        f"peer 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"gateway 192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"listen 127.0.0.1:{rng.randint(1024, 65535)}",
        f"# contact {rng.choice(['dev', 'ops', 'team', 'alice'])}@example.com",
        f'public_key: "ed25519:{_base58(rng.randbytes(32))}"',
        f'code_hash: "{_base58(rng.randbytes(32))}"',
        f"h1:{_b64(rng, 32)}",
        f"asset = '{_b64(rng, rng.randint(200, 600))}'",
        'accounts: { mnemonic: "test test test test test test test test test test test junk" },',
        'PRIVATE_KEY="0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"',
        f"// {' '.join(rng.choice(_PROSE_WORDS) for _ in range(rng.randint(8, 30)))}",
        ", ".join(str(rng.randint(0, 10 ** rng.randint(1, 20))) for _ in range(rng.randint(4, 12))),
        f'const nonce = {rng.randint(0, 2**64)}; const salt = "0x{_hex(rng, 64)}";',
        f"image: ghcr.io/pixel-quest/api@sha256:{_hex(rng, 64)}",
        f'tokenizer_name = "org-{rng.randint(1, 99)}/model-{rng.randint(1, 70)}b-v{rng.randint(1, 9)}"',
    ]


def generated_clean_files(count: int = 120, seed: int = 0) -> list[tuple[str, str]]:
    """`count` clean files, each a seeded shuffle of look-alike lines: no secrets, many near misses."""
    files = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        lines = [line for _ in range(rng.randint(1, 3)) for line in _look_alike_lines(rng)]
        rng.shuffle(lines)
        files.append((f"generated_{index:03d}.txt", "\n".join(lines) + "\n"))
    return files


def clean_files() -> list[tuple[str, str]]:
    return handwritten_clean_files() + generated_clean_files()


@dataclass
class Score:
    """Recall on planted secrets and findings per type; alterations of clean files."""

    planted: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    true_findings: Counter[str] = field(default_factory=Counter)
    false_findings: Counter[str] = field(default_factory=Counter)
    clean_files: int = 0
    clean_altered: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # "file: type" of planted secrets left in the text

    @property
    def recall(self) -> float:
        return sum(self.caught.values()) / max(1, sum(self.planted.values()))

    def precision(self, kind: str) -> float:
        found = self.true_findings[kind] + self.false_findings[kind]
        return self.true_findings[kind] / found if found else 1.0

    def type_recall(self, kind: str) -> float:
        return self.caught[kind] / self.planted[kind] if self.planted[kind] else 1.0

    @property
    def clean_altered_fraction(self) -> float:
        return len(self.clean_altered) / max(1, self.clean_files)


FindSecrets = Callable[[str], list]  # text -> findings with .start, .end, .kind


def score(
    find_secrets: FindSecrets,
    redact: Callable[[str], str],
    planted_set: list[Planted] | None = None,
    clean_set: list[tuple[str, str]] | None = None,
) -> Score:
    """A planted secret is caught when none of it is left after redaction and a finding of its type
    overlaps it; a finding that overlaps no planted secret of its type is false (and any finding in a
    clean file is). Without `planted_set` and `clean_set`, this set's files are scored."""
    result = Score()
    for planted in planted_files() if planted_set is None else planted_set:
        findings = find_secrets(planted.text)
        redacted = redact(planted.text)
        spans = []
        for kind, value in planted.secrets:
            start = planted.text.index(value)
            spans.append((kind, start, start + len(value)))
            result.planted[kind] += 1
            end = start + len(value)
            overlaps = any(f.kind == kind and f.start < end and start < f.end for f in findings)
            if overlaps and value not in redacted:
                result.caught[kind] += 1
            else:
                result.missed.append(f"{planted.name}: {kind}")
        for finding in findings:
            true = any(k == finding.kind and s < finding.end and finding.start < e for k, s, e in spans)
            (result.true_findings if true else result.false_findings)[finding.kind] += 1
    for name, text in clean_files() if clean_set is None else clean_set:
        result.clean_files += 1
        findings = find_secrets(text)
        for finding in findings:
            result.false_findings[finding.kind] += 1
        if redact(text) != text:
            result.clean_altered.append(name)
    return result
