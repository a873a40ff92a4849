"""API keys and tokens: detect-secrets' token rules, our vendor formats, and secrets assigned to secret names.

Every detector here reads only the lines the prefilter (`secret_scan`) marked: a line with a random-looking
token run, or with a secret-like name.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

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

from codetune.hygiene.private_keys import PUBLIC_TEST_KEYS
from codetune.hygiene.secret_scan import Finding, TextScan, name_parts, random_looking_token, shannon_entropy
from codetune.hygiene.token_formats import TOKEN_FORMATS

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
# Text a plugin's tokens always contain: a plugin whose marker is absent from a line is not run on it.
PLUGIN_MARKERS: dict[type[RegexBasedDetector], tuple[str, ...]] = {
    AWSKeyDetector: ("AKIA", "ASIA", "ABIA", "ACCA", "A3T", "aws", "AWS", "Aws"),
    DiscordBotTokenDetector: (".",),
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
# The key in a web3 RPC provider URL (Alchemy, Infura): the commonest leak in dApp repositories.
PROVIDER_URL_KEY = re.compile(r"(?<=alchemy\.com/v2/)[A-Za-z0-9_-]{20,64}|(?<=infura\.io/v3/)[0-9a-fA-F]{32}")
_OPENAI_STYLE = re.compile(r"(?<![\w-])sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-|admin-)?[A-Za-z0-9_-]{32,200}")
_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-.+/=]*")
# Header, payload and a signature: an unsigned token (`alg: none`, empty third part) grants nothing.
_JWT_SIGNED = re.compile(r"[\w-]+\.[\w-]+\.[\w+/=-]{16,}")


@functools.lru_cache(maxsize=1)
def _detect_secrets_plugins() -> tuple[RegexBasedDetector, ...]:
    return tuple(plugin() for plugin in DETECT_SECRETS_PLUGINS)


def _isolated(text: str, start: int, end: int) -> bool:
    """A token stands alone: not the middle of a longer identifier or base64 run (an asset, a hash)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "+/_") and not after.isalnum()


def plugin_findings(line: str, offset: int) -> Iterator[Finding]:
    for plugin in _detect_secrets_plugins():
        markers = PLUGIN_MARKERS.get(type(plugin))
        if markers is not None and not any(marker in line for marker in markers):
            continue
        for value in sorted({value.strip() for value in plugin.analyze_string(line)}):
            if len(value) < 8:  # a rule's optional group that matched nothing yields ""
                continue
            start = line.find(value)
            while start >= 0:
                end = start + len(value)
                signed = True
                if isinstance(plugin, JwtTokenDetector):  # its rule stops before the signature
                    end = _JWT_TAIL.match(line, end).end()
                    signed = _JWT_SIGNED.fullmatch(line, start, end) is not None
                if signed and _isolated(line, start, end):
                    yield Finding(offset + start, offset + end, "api_key")
                start = line.find(value, start + len(value))


def format_findings(line: str, offset: int) -> Iterator[Finding]:
    for token_format in TOKEN_FORMATS:
        markers = token_format.markers
        if markers[0] not in line and (
            len(markers) == 1 or not any(marker in line for marker in markers[1:])
        ):
            continue
        for match in token_format.pattern.finditer(line):
            if random_looking_token(match.group()):
                yield Finding(offset + match.start(), offset + match.end(), "api_key")
    if "sk-" in line:
        for match in _OPENAI_STYLE.finditer(line):
            if _mixed(match.group()):
                yield Finding(offset + match.start(), offset + match.end(), "api_key")


def _mixed(value: str) -> bool:
    """Upper and lower case, and digits or high entropy: a random token, not `sk-some-kebab-case-name`."""
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
        return False
    return any(c.isdigit() for c in value) or shannon_entropy(value) >= 4.0


def find_api_keys(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    for offset, line in scan.line_texts(scan.token_lines):
        yield from plugin_findings(line, offset)
        yield from format_findings(line, offset)
    if "alchemy.com/v2/" in text or "infura.io/v3/" in text:
        for match in PROVIDER_URL_KEY.finditer(text):
            if not text[match.end() : match.end() + 1].isalnum():
                yield Finding(match.start(), match.end(), "api_key")
    yield from find_secret_assignments(scan)


# --- generic secrets: a random value assigned to a secret-like name ----------------------------------------

# Spaces and tabs only: a name and its value share a line, so no match needs the line's end.
_ASSIGNED = (
    r"[\"'\]]?"
    r"(?:[ \t]*:[ \t]*[&A-Za-z_][\w\[\]<>.,' |]*?)?"  # a type annotation: `token: str =`, `KEY: &str =`
    r"[ \t]*(?::=|=>|=|:)[ \t]*(?P<quote>[\"'`]?)(?P<value>[^\s\"'`,;()<>{}\[\]]{12,512})"
)
# Starts only where an identifier starts and takes it whole (possessive): scanning a line stays linear.
_ASSIGNMENT = re.compile(r"(?<![\w$.-])(?P<name>[A-Za-z_$][\w$.-]*+)" + _ASSIGNED)
# The rest of an identifier, then an assignment: most stems (`tokenizer(`, `passed`) fail it at once.
_NAME_REACH = 120
_ASSIGNED_AFTER_STEM = re.compile(r"[\w$.-]*" + _ASSIGNED)
_SECRET_PARTS = frozenset(
    {"secret", "secrets", "token", "password", "passwd", "pwd", "passphrase", "apikey", "credential"}
    | {"credentials", "privatekey", "secretkey", "accesskey", "authkey", "pass", "pat"}
)
_SECRET_PAIRS = frozenset(
    re.split(
        r"\s+",
        "api access secret private auth signing master encryption app license consumer client service server "
        "admin account write read deploy",
    )
)
# Services whose keys are assigned to names like `ADAFRUIT_IO_KEY` or `zendesk.key` (the catalogue's
# keyword rules): with one of these in the name, a name part `key` (or `sid`, `login`) marks a secret.
VENDOR_WORDS = frozenset(
    re.split(
        r"\s+",
        "adafruit airtable algolia alibaba aliyun asana atlassian jira confluence beamer bitbucket bittrex "
        "cloudflare "
        "codecov cohere coinbase confluent contentful datadog discord droneci dropbox etsy facebook fastly "
        "finicity finnhub flickr freshbooks gitter gocardless heroku hubspot intercom jfrog artifactory "
        "bintray xray kraken kucoin launchdarkly linear linkedin lob looker mailgun mapbox mattermost "
        "messagebird netlify newrelic nytimes okta plaid privateai rapidapi sendbird sentry snyk sonar "
        "squarespace sumo sumologic telegram travis twitch twitter typeform yandex zendesk alchemy infura "
        "etherscan polygonscan bscscan moralis quicknode pinata web3storage nftstorage thirdweb contribsys",
    )
)
# Services whose keys are UUIDs; elsewhere a UUID is an identifier.
UUID_KEY_VENDORS = frozenset(("heroku", "hubspot", "snyk", "squarespace", "kucoin"))
_VENDOR_KEY_PARTS = frozenset(("key", "sid", "login", "hash"))
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
    r"example|sample|placeholder|your|changeme|change_me|dummy|fake|xxxx|redacted|replace|insert|\*{3}"
    r"|\.\.\.$|…$",  # a value cut short in documentation: `eyJhbGciOi...`
    re.I,
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# `config.api.secret`, `MY_SECRET_VALUE_2`, `get_token_value`: names of things, not values.
_CODE_REFERENCE = re.compile(
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|[A-Za-z]+\d{0,2}(?:_[A-Za-z]+\d{0,2})+"
)


def _names_vendor(parts: list[str]) -> bool:
    """A vendor word as a part or as two or three parts run together (`LaunchDarkly`, `NEW_RELIC`)."""
    joined = parts + ["".join(pair) for pair in itertools.pairwise(parts)]
    joined += ["".join(parts[index : index + 3]) for index in range(len(parts) - 2)]
    return any(word in VENDOR_WORDS or word in UUID_KEY_VENDORS for word in joined)


def secret_like_name(name: str) -> bool:
    parts = name_parts(name)
    vendor = _names_vendor(parts)
    not_secret = _NOT_SECRET_PARTS - (_VENDOR_KEY_PARTS if vendor else frozenset())
    if not parts or any(part in not_secret for part in parts):
        return False
    if any(part in _SECRET_PARTS for part in parts):
        return True
    if vendor and any(part in _VENDOR_KEY_PARTS for part in parts):
        return True
    if "contribsys" in parts:  # Sidekiq Enterprise's gem-server credential: BUNDLE_GEMS__CONTRIBSYS__COM
        return True
    return any(a in _SECRET_PAIRS and b == "key" for a, b in itertools.pairwise(parts))


def looks_random(value: str, name: str = "") -> bool:
    """Random enough to be a credential, not a word, path, reference, UUID, address or template."""
    if _UUID.fullmatch(value):
        return any(part in UUID_KEY_VENDORS for part in name_parts(name))
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    if "://" in value or value[0] in "/.$%" or _CODE_REFERENCE.fullmatch(value):
        return False
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", value) or _PLACEHOLDER_VALUE.search(value):
        return False
    if value.lower().removeprefix("0x") in PUBLIC_TEST_KEYS:
        return False
    hex_only = re.fullmatch(r"(?:0x)?[0-9a-fA-F:]+", value) is not None
    return shannon_entropy(value) >= (3.0 if hex_only else 3.3)


_PRIVATE_KEY_NAME = re.compile(r"priv(?:ate)?_?key|private_?signing|signer_?key", re.IGNORECASE)


def _name_start(text: str, position: int) -> int:
    """Where the identifier holding `position` begins (`MY_API_KEY`, `config.apiToken`, `x-api-key`)."""
    while position > 0 and (text[position - 1].isalnum() or text[position - 1] in "_$.-"):
        position -= 1
    return position


def _assignment_value(text: str, match: re.Match[str], line_end: int) -> Finding | None:
    value, name = match.group("value"), match.group("name")
    if not secret_like_name(name) or not looks_random(value, name):
        return None
    rest = text[match.end("value") : line_end]
    closed = rest.startswith(match.group("quote")) if match.group("quote") else True
    if closed and (match.group("quote") or re.match(r"\s*(?:[#;,]|$)", rest)):
        kind = "private_key" if _PRIVATE_KEY_NAME.search(name) else "api_key"
        return Finding(match.start("value"), match.end("value"), kind)
    return None


def find_secret_assignments(scan: TextScan) -> Iterator[Finding]:
    """A secret-like name assigned a random value: read at each secret-name stem, and along the whole of
    each line with a random-looking token (vendor names such as `ADAFRUIT_IO_KEY` hold no stem)."""
    text = scan.text
    starts = {
        _name_start(text, position)
        for position in scan.stem_positions
        if _ASSIGNED_AFTER_STEM.match(text, position) is not None
    }
    for start in sorted(starts):
        line_end = scan.line_at(start).end
        match = _ASSIGNMENT.match(text, start, line_end)
        if match is not None and (finding := _assignment_value(text, match, line_end)) is not None:
            yield finding
    for token_start, _ in scan.random_tokens:  # a name at most _NAME_REACH characters before its value
        line = scan.line_at(token_start)
        for match in _ASSIGNMENT.finditer(text, max(line.start, token_start - _NAME_REACH), line.end):
            if match.start() > token_start:
                break
            if match.start() not in starts and (finding := _assignment_value(text, match, line.end)):
                yield finding
