"""Private keys: PEM blocks, and web3 key material in the shapes SDKs and tutorials write it.

EVM, Aptos and Sui keys as hex (with or without `0x`) in key context; NEAR `ed25519:` secret keys; Solana
keypairs as base58 or as byte arrays (`Uint8Array.from([...])`, `[u8; 64]`, a keypair JSON file); Sui
`suiprivkey1…` and `sui.keystore` files; Cosmos/Tendermint `priv_validator_key.json` values; the
ciphertext of Ethereum keystore files. Public values look the same and are kept: addresses, public keys,
transaction and event hashes, signatures (named so next to the value), and the Hardhat/Anvil well-known test
keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator

from codetune.hygiene.secret_scan import Finding, TextScan, name_parts

# Public test values: Hardhat / Anvil (Foundry) derive their default accounts from this mnemonic
# (m/44'/60'/0'/0/i, i < 20); they appear in countless repositories and protect nothing.
PUBLIC_TEST_MNEMONIC = "test test test test test test test test test test test junk"
PUBLIC_TEST_KEYS = frozenset(
    (
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
        "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
        "f214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897",
        "701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82",
        "a267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1",
        "47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd",
        "c526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa",
        "8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61",
        "ea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0",
        "689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd",
        "de9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0",
        "df57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e",
    )
)

_PEM_BLOCK = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.{0,20000}?-----END (?P=label)-----",
    re.DOTALL,
)
# A block whose END marker is missing or mangled: the BEGIN line and the base64 lines after it.
_PEM_UNTERMINATED = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:(?:\s|\\n|[\"'`+,]|[A-Za-z-]+: [^\n]*)*[A-Za-z0-9/+=]{16,})*"
)
_HEX_KEY = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
# Words that make a 64-hex or base58 value a private key rather than a hash (tx, sha256, block, slot).
_KEY_CONTEXT = re.compile(
    r"priv|secret|signer|signing|wallet|mnemonic|seed|deployer|accounts|ecdsa|from_?key|keypair|payer"
    r"|(?<![a-z])(?:pk|sk)(?![a-z])",
    re.IGNORECASE,
)
# The name nearest before a value: `wallet_address = "0x…"` or `signer_pubkey:` call it public.
_NEAREST_NAME = re.compile(
    r"(?P<name>[A-Za-z_$][\w$]*)[\"'\]]?\s*(?:[:=,]|=>|:=)?\s*[\"'`(\[]*\s*(?:ed25519:|0x)?$"
)
# `KEY: [u8; 32] =`, `key: &[u8] =`, `Uint8Array.from(`: type and constructor between a name and its value.
_ARRAY_TYPE = re.compile(r":\s*&?\[u8(?:;\s*\d+)?\]|(?:new\s+)?Uint8Array(?:\.from)?\(?|bs58\.decode\(")
PUBLIC_NAME_PARTS = frozenset(
    [
        "address",
        "addr",
        "pub",
        "pubkey",
        "public",
        "hash",
        "digest",
        "tx",
        "txid",
        "signature",
        "sig",
        "root",
        "topic",
        "event",
        "salt",
        "nonce",
        "block",
        "id",
        "object",
        "commitment",
        "checksum",
    ]
)
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_TOKEN = re.compile(r"[1-9A-HJ-NP-Za-km-z]{80,90}")
_NEAR_KEY = re.compile(r"(?P<curve>ed25519|secp256k1):(?P<key>[1-9A-HJ-NP-Za-km-z]{40,90})(?![1-9A-Za-z])")
_SUI_KEY = re.compile(r"suiprivkey1[02-9ac-hj-np-z]{50,70}")
_BYTE_ARRAY = re.compile(r"\[\s*(?:\d{1,3}\s*,\s*){31,63}\d{1,3}\s*,?\s*\]")
_KEYSTORE_CIPHERTEXT = re.compile(r"\"ciphertext\"\s*:\s*\"(?P<value>[0-9a-fA-F]{32,})\"")
_TENDERMINT_KEY = re.compile(r"PrivKey\w*\"\s*,\s*\"value\"\s*:\s*\"(?P<value>[A-Za-z0-9+/]{40,}={0,2})\"")


def base58_length(text: str) -> int:
    """Bytes a base58 string decodes to: NEAR and Solana secret keys are 64 bytes, public keys 32."""
    number = 0
    for char in text:
        number = number * 58 + _BASE58.index(char)
    leading_zeros = len(text) - len(text.lstrip("1"))
    return leading_zeros + (number.bit_length() + 7) // 8


def _context_before(text: str, start: int, chars: int = 120) -> str:
    """The current line up to `start`, plus the previous line when the value starts a line of its own."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if not re.search(r"[A-Za-z]", before) and line_start > 0:
        before = text[text.rfind("\n", 0, line_start - 1) + 1 : start]
    return before[-chars:]


def named_public(before: str) -> bool:
    """The name nearest before a value says it is public (an address, a public key, a hash ...)."""
    match = _NEAREST_NAME.search(_ARRAY_TYPE.sub("", before))
    return match is not None and any(part in PUBLIC_NAME_PARTS for part in name_parts(match.group("name")))


def secret_in_context(text: str, start: int) -> bool:
    """Key words before the value, and the name nearest to it does not call it public."""
    before = _context_before(text, start)
    return bool(_KEY_CONTEXT.search(before)) and not named_public(before)


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _hex_keys(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    for token_start, token_end in scan.random_tokens:
        for match in _HEX_KEY.finditer(text, token_start, token_end):
            if not _standalone(text, match.start(), match.end()):
                continue
            value = match.group().lower().removeprefix("0x")
            if value not in PUBLIC_TEST_KEYS and secret_in_context(text, match.start()):
                yield Finding(match.start(), match.end(), "private_key")


def _base58_keys(scan: TextScan) -> Iterator[Finding]:
    """Solana secret keys (64 bytes, 87–88 base58 characters) named as keys; signatures are kept."""
    text = scan.text
    for start, end in scan.random_tokens:
        token = text[start:end]
        if _BASE58_TOKEN.fullmatch(token) is None or text[max(0, start - 1) : start] == ":":
            continue
        if base58_length(token) == 64 and secret_in_context(text, start):
            yield Finding(start, end, "private_key")


def _near_keys(text: str) -> Iterator[Finding]:
    """`ed25519:` + 64 bytes is a NEAR secret key (public keys are 32); `secp256k1:` secrets are 32 bytes."""
    for match in _NEAR_KEY.finditer(text):
        size = base58_length(match.group("key"))
        if (
            match.group("curve") == "ed25519"
            and size == 64
            and not named_public(_context_before(text, match.start()))
        ) or (match.group("curve") == "secp256k1" and size == 32 and secret_in_context(text, match.start())):
            yield Finding(match.start(), match.end(), "private_key")


def _byte_arrays(text: str) -> Iterator[Finding]:
    """A 64-byte keypair or a 32-byte secret written as numbers, named as a key (or a keypair file alone)."""
    for match in _BYTE_ARRAY.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", match.group())]
        if any(n > 255 for n in numbers) or len(numbers) not in (32, 64):
            continue
        whole_file = not text[: match.start()].strip() and not text[match.end() :].strip()
        context = text[max(0, match.start() - 160) : match.start()]
        keyish = _KEY_CONTEXT.search(context) and not named_public(context)
        if (len(numbers) == 64 and whole_file) or keyish:
            yield Finding(match.start(), match.end(), "private_key")


# A Sui CLI keystore (`~/.sui/sui_config/sui.keystore`) is a JSON array of base64 strings, each a scheme flag
# byte (0 ed25519, 1 secp256k1, 2 secp256r1) and a 32-byte private key: 44 characters starting with "A".
_SUI_KEYSTORE_ENTRY = re.compile(r'"(A[A-Za-z0-9+/]{43})"')  # 33 bytes: 44 characters, no padding
MAX_KEYSTORE_CHARS = 100_000


def _sui_keystore(text: str) -> Iterator[Finding]:
    """Every entry of a whole-file JSON array whose strings all decode to a flag byte and a 32-byte key."""
    try:
        entries = json.loads(text)
    except ValueError:
        return
    if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
        return
    for entry in entries:
        try:
            raw = base64.b64decode(entry, validate=True)
        except (binascii.Error, ValueError):
            return
        if len(raw) != 33 or raw[0] > 2:
            return
    for match in _SUI_KEYSTORE_ENTRY.finditer(text):
        yield Finding(match.start(1), match.end(1), "private_key")


def find_private_keys(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    if "PRIVATE KEY" in text:
        for pattern in (_PEM_BLOCK, _PEM_UNTERMINATED):
            for match in pattern.finditer(text):
                yield Finding(match.start(), match.end(), "private_key")
    yield from _hex_keys(scan)
    yield from _base58_keys(scan)
    if "ed25519:" in text or "secp256k1:" in text:
        yield from _near_keys(text)
    if "suiprivkey1" in text:
        for match in _SUI_KEY.finditer(text):
            yield Finding(match.start(), match.end(), "private_key")
    if "[" in text:
        yield from _byte_arrays(text)
    if text.lstrip().startswith("[") and len(text) <= MAX_KEYSTORE_CHARS and '"A' in text:
        yield from _sui_keystore(text)
    if '"ciphertext"' in text:
        for match in _KEYSTORE_CIPHERTEXT.finditer(text):
            yield Finding(match.start("value"), match.end("value"), "private_key")
    if "PrivKey" in text:
        for match in _TENDERMINT_KEY.finditer(text):
            yield Finding(match.start("value"), match.end("value"), "private_key")
