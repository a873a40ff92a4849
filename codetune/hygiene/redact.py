"""Secret and PII redaction: a datatrove formatter that replaces each finding with a typed placeholder.

Token formats that detect-secrets knows (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, JWT, SendGrid, ...)
come from its plugins' rules; what it does not catch is added here: PEM blocks as a whole (also split
across lines or string literals), 64-hex private keys in key-like context, NEAR `ed25519:` secret keys,
BIP-39 mnemonics (checksum-checked against the `mnemonic` package's wordlist), Google / Hugging Face /
`sk-` keys, high-entropy values assigned to secret-like names (quoted or not), e-mail addresses and public
IP addresses. Public test values (the Hardhat/Anvil mnemonic and keys), hashes, UUIDs, versions, reserved
example domains and private IPs are kept. Only counts per type are reported, never the values.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.formatters.base import BaseFormatter
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector
from mnemonic import Mnemonic

from codetune.documents import FileMeta, RecordKind, RepoTreeMeta, record_kind
from codetune.ecosystem import REDACTION_TYPES, RedactionSettings

PLACEHOLDERS = {
    "email": "<EMAIL>",
    "ip_address": "<IP_ADDRESS>",
    "private_key": "<PRIVATE_KEY>",
    "api_key": "<API_KEY>",
    "mnemonic": "<MNEMONIC>",
}

# detect-secrets plugins whose rules are token formats (their keyword-only and Artifactory rules match too
# much ordinary code to run on a training corpus).
DETECT_SECRETS_PLUGINS: tuple[type[RegexBasedDetector], ...] = (
    AWSKeyDetector,
    DiscordBotTokenDetector,
    GitHubTokenDetector,
    GitLabTokenDetector,
    JwtTokenDetector,
    MailchimpDetector,
    NpmDetector,
    OpenAIDetector,
    PypiTokenDetector,
    SendGridDetector,
    SlackDetector,
    SquareOAuthDetector,
    StripeDetector,
    TelegramBotTokenDetector,
    TwilioKeyDetector,
)

# Token formats detect-secrets 1.5 does not have.
API_KEY_FORMATS = tuple(
    re.compile(pattern)
    for pattern in (
        r"AIza[0-9A-Za-z_-]{35}",  # Google API key
        r"hf_[A-Za-z0-9]{34,40}",  # Hugging Face access token
        r"github_pat_[A-Za-z0-9_]{60,100}",  # GitHub fine-grained token
        r"[rs]k_(?:live|test)_[0-9A-Za-z]{24,99}",  # Stripe secret / restricted key
        r"sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-|admin-)?[A-Za-z0-9_-]{32,200}",  # OpenAI-style `sk-`
    )
)
API_KEY_MARKERS = ("AIza", "hf_", "github_pat_", "k_", "sk-")
# The key in a web3 RPC provider URL (Alchemy, Infura): the commonest leak in dApp repositories.
PROVIDER_URL_KEY = re.compile(r"(?<=alchemy\.com/v2/)[A-Za-z0-9_-]{20,64}|(?<=infura\.io/v3/)[0-9a-fA-F]{32}")

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


@dataclass(frozen=True, order=True)
class Finding:
    """A span of text to replace and what it is; the value itself is never stored or logged."""

    start: int
    end: int
    kind: str


# --- private keys -------------------------------------------------------------------------------------

_PEM_BLOCK = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.{0,20000}?-----END (?P=label)-----",
    re.DOTALL,
)
# A block whose END marker is missing or mangled: the BEGIN line and the base64 lines after it.
_PEM_UNTERMINATED = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:(?:\s|\\n|[\"'`+,]|[A-Za-z-]+: [^\n]*)*[A-Za-z0-9/+=]{16,})*"
)
_HEX_KEY = re.compile(r"(?<![0-9A-Za-z_])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z_])")
# Words that make a 64-hex value a private key rather than a hash (tx, sha256, block, storage slot).
_KEY_CONTEXT = re.compile(
    r"priv|secret|signer|signing|wallet|mnemonic|seed|deployer|accounts|ecdsa|from_?key|(?<![a-z])(?:pk|sk)(?![a-z])",
    re.IGNORECASE,
)
_NEAR_SECRET = re.compile(r"ed25519:(?P<key>[1-9A-HJ-NP-Za-km-z]{80,90})(?![1-9A-Za-z])")
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_length(text: str) -> int:
    """Bytes a base58 string decodes to: NEAR secret keys are 64 bytes, public keys 32."""
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


def find_private_keys(text: str) -> Iterator[Finding]:
    if "PRIVATE KEY" in text:
        for pattern in (_PEM_BLOCK, _PEM_UNTERMINATED):
            for match in pattern.finditer(text):
                yield Finding(match.start(), match.end(), "private_key")
    for match in _HEX_KEY.finditer(text):
        value = match.group().lower().removeprefix("0x")
        if value not in PUBLIC_TEST_KEYS and _KEY_CONTEXT.search(_context_before(text, match.start())):
            yield Finding(match.start(), match.end(), "private_key")
    if "ed25519:" in text:
        for match in _NEAR_SECRET.finditer(text):
            if base58_length(match.group("key")) == 64:
                yield Finding(match.start(), match.end(), "private_key")


# --- API keys and tokens -------------------------------------------------------------------------------


def _isolated(text: str, start: int, end: int) -> bool:
    """A token stands alone: not the middle of a longer identifier or base64 run (an asset, a hash)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "+/_") and not after.isalnum()


def _mixed(value: str) -> bool:
    """Upper and lower case, and digits or high entropy: a random token, not `sk-some-kebab-case-name`."""
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
        return False
    return any(c.isdigit() for c in value) or shannon_entropy(value) >= 4.0


@functools.lru_cache(maxsize=1)
def _detect_secrets_plugins() -> tuple[RegexBasedDetector, ...]:
    return tuple(plugin() for plugin in DETECT_SECRETS_PLUGINS)


def _spans_of(text: str, value: str) -> Iterator[tuple[int, int]]:
    start = text.find(value)
    while start >= 0:
        yield start, start + len(value)
        start = text.find(value, start + len(value))


_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-.+/=]*")


# Text a plugin's tokens always contain: a plugin whose marker is absent is not run (most are not).
PLUGIN_MARKERS: dict[type[RegexBasedDetector], tuple[str, ...]] = {
    AWSKeyDetector: ("AKIA", "ASIA", "ABIA", "ACCA", "A3T", "aws", "AWS", "Aws"),
    MailchimpDetector: ("-us",),
    NpmDetector: ("_authToken",),
    OpenAIDetector: ("T3BlbkFJ",),
    PypiTokenDetector: ("pypi-",),
    SendGridDetector: ("SG.",),
    SlackDetector: ("xox", "XOX", "hooks.slack.com"),
    SquareOAuthDetector: ("sq0csp-",),
    StripeDetector: ("k_live_",),
    TelegramBotTokenDetector: (":AA",),  # bot tokens are <bot id>:AA<33 characters>
    TwilioKeyDetector: ("AC", "SK"),
    GitHubTokenDetector: ("gh",),
    GitLabTokenDetector: ("gl", "GR1348941"),
    JwtTokenDetector: ("eyJ",),
}


def find_api_keys(text: str) -> Iterator[Finding]:
    for plugin in _detect_secrets_plugins():
        markers = PLUGIN_MARKERS.get(type(plugin))
        if markers is not None and not any(marker in text for marker in markers):
            continue
        for value in sorted(set(plugin.analyze_string(text))):
            for start, end in _spans_of(text, value.strip()):
                if isinstance(plugin, JwtTokenDetector):  # its rule stops before the signature
                    end = _JWT_TAIL.match(text, end).end()
                if _isolated(text, start, end):
                    yield Finding(start, end, "api_key")
    for pattern, marker in zip(API_KEY_FORMATS, API_KEY_MARKERS, strict=True):
        if marker not in text:
            continue
        for match in pattern.finditer(text):
            if _isolated(text, match.start(), match.end()) and _mixed(match.group()):
                yield Finding(match.start(), match.end(), "api_key")
    if "alchemy.com/v2/" in text or "infura.io/v3/" in text:
        for match in PROVIDER_URL_KEY.finditer(text):
            if not text[match.end() : match.end() + 1].isalnum():
                yield Finding(match.start(), match.end(), "api_key")
    yield from find_secret_assignments(text)


# --- generic secrets: a high-entropy value assigned to a secret-like name -----------------------------

# Lowercase stems of secret-like names, found with str.find (a case-insensitive regex is 10× slower).
SECRET_NAME_STEMS = (
    "secret",
    "token",
    "pass",
    "pwd",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "accesskey",
)
_ASSIGNMENT = re.compile(
    r"(?P<name>[A-Za-z_$][\w$-]*)[\"'\]]?"
    r"(?:\s*:\s*[&A-Za-z_][\w\[\]<>.,' |]*?)?"  # a type annotation: `token: str =`, `KEY: &str =`
    r"\s*(?::=|=>|=|:)\s*(?P<quote>[\"'`]?)(?P<value>[^\s\"'`,;()<>{}\[\]]{16,512})"
)
_SECRET_PARTS = frozenset(
    {"secret", "secrets", "token", "password", "passwd", "pwd", "passphrase", "apikey", "credential"}
    | {"credentials", "privatekey", "secretkey", "accesskey", "authkey", "pass"}
)
_SECRET_PAIRS = frozenset(
    ("api", "access", "secret", "private", "auth", "signing", "master", "encryption", "app", "license")
)
# Name parts that say the value is public or not a credential (`tokenAddress`, `SECRET_PATH`, `token_id`).
_NOT_SECRET_PARTS = frozenset(
    re.split(
        r"\s+",
        "address addr id ids url uri name names type types path file filename hash count length len symbol "
        "decimals contract endpoint expiry expires expiration exp header prefix suffix field event selector "
        "balance amount supply ttl timeout limit max min index idx size format version host port env var "
        "method mint program public pub label placeholder pattern regex kind mode class style duration "
        "hint description desc",
    )
)
_PLACEHOLDER_VALUE = re.compile(
    r"example|sample|placeholder|your|changeme|change_me|dummy|fake|xxxx|redacted|replace|insert|\*{3}", re.I
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# `config.api.secret`, `MY_SECRET_VALUE_2`, `get_token_value`: names of things, not values.
_CODE_REFERENCE = re.compile(
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|[A-Za-z]+\d{0,2}(?:_[A-Za-z]+\d{0,2})+"
)


def name_parts(name: str) -> list[str]:
    """`apiKey`, `API_KEY`, `api-key` → ["api", "key"]."""
    return [part.lower() for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def secret_like_name(name: str) -> bool:
    parts = name_parts(name)
    if not parts or any(part in _NOT_SECRET_PARTS for part in parts):
        return False
    if any(part in _SECRET_PARTS for part in parts):
        return True
    return any(a in _SECRET_PAIRS and b == "key" for a, b in itertools.pairwise(parts))


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str) -> bool:
    """Random enough to be a credential, not a word, path, reference, UUID, address or template."""
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    if "://" in value or value[0] in "/.$%" or _UUID.fullmatch(value) or _CODE_REFERENCE.fullmatch(value):
        return False
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", value) or _PLACEHOLDER_VALUE.search(value):
        return False
    if value.lower().removeprefix("0x") in PUBLIC_TEST_KEYS:
        return False
    hex_only = re.fullmatch(r"(?:0x)?[0-9a-fA-F]+", value) is not None
    return shannon_entropy(value) >= (3.0 if hex_only else 3.5)


def _stem_positions(lowered: str) -> Iterator[int]:
    for stem in SECRET_NAME_STEMS:
        position = lowered.find(stem)
        while position >= 0:
            yield position
            position = lowered.find(stem, position + len(stem))


def find_secret_assignments(text: str) -> Iterator[Finding]:
    line_starts = sorted({text.rfind("\n", 0, position) + 1 for position in _stem_positions(text.lower())})
    for line_start in line_starts:
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        for match in _ASSIGNMENT.finditer(line):
            value = match.group("value")
            if not secret_like_name(match.group("name")) or not looks_random(value):
                continue
            rest = line[match.end("value") :]
            closed = rest.startswith(match.group("quote")) if match.group("quote") else True
            if closed and (match.group("quote") or re.match(r"\s*(?:[#;,]|$)", rest)):
                yield Finding(line_start + match.start("value"), line_start + match.end("value"), "api_key")


# --- mnemonics ------------------------------------------------------------------------------------------

_WORD_SEPARATOR = (
    r"(?:[ \t]+|[ \t]*(?:\\n|\r?\n)[ \t]*(?:(?://|#|\*|--|;)[ \t]*)?|[\"'`][ \t]*\+[ \t]*\r?\n?[ \t]*[\"'`])"
)
# First pass, 2-3× faster than the exact separators: 12+ short lowercase words with separator-ish between.
_WORD_CANDIDATES = re.compile(r"\b[a-z]{3,8}(?:(?:[ \t\n\r\"'`+/#*;-]|\\n){1,12}[a-z]{3,8}\b){11,}")
_WORD = re.compile(r"[a-z]{3,8}")
_SEPARATOR = re.compile(_WORD_SEPARATOR)
_MNEMONIC_CONTEXT = re.compile(r"mnemonic|seed|phrase|recovery|backup|secret|words", re.IGNORECASE)
MNEMONIC_LENGTHS = (24, 21, 18, 15, 12)


@functools.lru_cache(maxsize=1)
def _bip39() -> Mnemonic:
    return Mnemonic("english")


def is_public_test_mnemonic(words: list[str]) -> bool:
    """Hardhat/Anvil's "test … junk", and the BIP-39 vectors made of one repeated byte ("abandon … about")."""
    if " ".join(words) == PUBLIC_TEST_MNEMONIC or len(set(words)) <= 3:
        return True
    return len(set(_bip39().to_entropy(words))) == 1


def _valid_mnemonic(words: list[str]) -> bool:
    return len(words) in MNEMONIC_LENGTHS and _bip39().check(" ".join(words))


def _mnemonic_in_run(words: list[re.Match[str]], context: str) -> tuple[int, int] | None:
    """Which words of a run of wordlist words form a mnemonic: the whole run, a checksum-valid prefix or
    suffix, or (with "mnemonic"/"seed" nearby) a run of 12–24 words whose checksum we cannot confirm."""
    count = len(words)
    plain = [word.group() for word in words]
    candidates = [(0, count)] + [
        span
        for length in MNEMONIC_LENGTHS
        if length < count
        for span in ((0, length), (count - length, count))
    ]
    for first, last in candidates:
        if _valid_mnemonic(plain[first:last]):
            return None if is_public_test_mnemonic(plain[first:last]) else (first, last)
    if 12 <= count <= 24 and len(set(plain)) > 3 and _MNEMONIC_CONTEXT.search(context):
        return 0, count
    return None


def _runs(text: str, start: int, end: int) -> Iterator[list[re.Match[str]]]:
    """Runs of words joined by real separators (spaces, a wrapped line, a string concatenation), stepping
    over each separator so the `n` of an escaped newline is no word."""
    run: list[re.Match[str]] = []
    position = start
    while (word := _WORD.search(text, position, end)) is not None:
        if run and word.start() != position:  # the separator before this word was not a real one
            yield run
            run = []
        run.append(word)
        separator = _SEPARATOR.match(text, word.end(), end)
        position = separator.end() if separator is not None else word.end()
        if separator is None:
            yield run
            run = []
    if run:
        yield run


def find_mnemonics(text: str) -> Iterator[Finding]:
    wordlist = set(_bip39().wordlist)
    for candidate in _WORD_CANDIDATES.finditer(text):
        for words in _runs(text, candidate.start(), candidate.end()):
            group: list[re.Match[str]] = []
            for word in [*words, None]:
                if word is not None and word.group() in wordlist:
                    group.append(word)
                    continue
                if len(group) >= 12:
                    start = group[0].start()
                    span = _mnemonic_in_run(group, text[max(0, start - 120) : start])
                    if span is not None:
                        yield Finding(group[span[0]].start(), group[span[1] - 1].end(), "mnemonic")
                group = []


# --- e-mail and IP addresses -------------------------------------------------------------------------

# Matched around each "@" (scanning from every letter is 5× slower): the local part ends at the "@".
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?$")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})(?![\w-])"
)
# RFC 2606 / 6761 names reserved for examples and tests: never a real person's address.
_RESERVED_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$", re.I)
# `icon@2x.png`, `pkg@scope.js`: file names, not addresses.
_FILE_SUFFIXES = frozenset(
    re.split(
        r"\s+", "png jpg jpeg gif svg webp ico bmp js mjs cjs ts tsx jsx css scss json md html wasm gd py sol"
    )
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\w)"
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,6}|[0-9A-Fa-f]{1,4})(?![\w:.])"
)
_VERSION_CONTEXT = re.compile(r"(?:\b(?:version|ver|release|v)|==|>=|<=|~=|\^|~)\W{0,4}$", re.IGNORECASE)
# Public resolvers are infrastructure everyone writes in configs, not anybody's address.
PUBLIC_RESOLVERS = frozenset(("8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"))


def find_emails(text: str) -> Iterator[Finding]:
    at = text.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1) if local is not None else None
        if local is not None and domain is not None:
            reserved = (
                _RESERVED_DOMAIN.search(domain.group()) or domain.group("tld").lower() in _FILE_SUFFIXES
            )
            if not reserved and local.group() != "git":  # git@github.com:org/repo is an SSH remote
                yield Finding(local.start(), domain.end(), "email")
        at = text.find("@", at + 1)


def _public_ip(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).is_global and value not in PUBLIC_RESOLVERS
    except ValueError:
        return False


def find_ip_addresses(text: str) -> Iterator[Finding]:
    for match in _IPV4.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if _public_ip(match.group()) and not _VERSION_CONTEXT.search(text[line_start : match.start()][-24:]):
            yield Finding(match.start(), match.end(), "ip_address")
    if "::" in text or re.search(r"[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]", text):
        for match in _IPV6.finditer(text):
            if match.group().count(":") >= 3 and _public_ip(match.group()):
                yield Finding(match.start(), match.end(), "ip_address")


# --- putting it together -----------------------------------------------------------------------------

FINDERS: dict[str, Callable[[str], Iterator[Finding]]] = {
    "private_key": find_private_keys,
    "api_key": find_api_keys,
    "mnemonic": find_mnemonics,
    "email": find_emails,
    "ip_address": find_ip_addresses,
}
assert set(FINDERS) == set(REDACTION_TYPES) == set(PLACEHOLDERS)


def find_secrets(text: str, kinds: tuple[str, ...] = REDACTION_TYPES) -> list[Finding]:
    """Non-overlapping findings in text order; where two overlap, the earlier (then the longer) wins."""
    priority = {kind: index for index, kind in enumerate(FINDERS)}
    findings = sorted(
        (finding for kind in kinds for finding in FINDERS[kind](text)),
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
