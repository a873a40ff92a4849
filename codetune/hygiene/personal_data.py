"""Personal data: e-mail addresses and public IP addresses (reserved, example and private ones are kept)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from codetune.hygiene.secret_scan import Finding, TextScan

# Matched around each "@" (scanning from every letter is 5× slower): the local part ends at the "@".
# `\Z`, not `$`: `$` also matches before a final newline, which made `name\n@decorator` an address.
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?\Z")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})(?![\w-])"
)
# `scheme://user:password@host`, `https://<token>@host`: the part before "@" is a credential
# (web_credentials), not a mailbox.
_URL_USERINFO = re.compile(r"://(?:[^\s/@:]{0,64}:)?$")
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
# A literal-led first look (scanning from each digit is 10× slower): IPv4 is read around each `.d.d`.
_IPV4_GATE = re.compile(r"\.\d{1,3}\.\d")
# Three colons around hex groups (`2001:db8::1`, `fe80:0:0:1`); Rust's `a::b` paths rarely pass.
_IPV6_GATE = re.compile(r":[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{0,4}:")
# Versions and section numbers (`RFC 9110 section 8.4.1.3`, `§4.2.3.2`) look like IPv4 addresses.
_VERSION_CONTEXT = re.compile(
    r"(?:\b(?:version|ver|release|v|section|sec|clause)|==|>=|<=|~=|\^|~|§)\W{0,4}$", re.IGNORECASE
)
# Public resolvers are infrastructure everyone writes in configs, not anybody's address.
PUBLIC_RESOLVERS = frozenset(("8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"))


def find_emails(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    at = text.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1) if local is not None else None
        if local is not None and domain is not None and not _URL_USERINFO.search(text, 0, local.start()):
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


def _matches_near(
    text: str, gate: re.Pattern[str], pattern: re.Pattern[str], reach: int
) -> Iterator[re.Match[str]]:
    """Matches of `pattern` within `reach` characters of each hit of the cheap `gate`, each once."""
    scanned_to = 0
    for hit in gate.finditer(text):
        if hit.start() < scanned_to:
            continue
        for match in pattern.finditer(text, max(scanned_to, hit.start() - reach), hit.end() + reach):
            scanned_to = match.end()
            yield match


def find_ip_addresses(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    for match in _matches_near(text, _IPV4_GATE, _IPV4, 12):
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()][-24:]
        if _public_ip(match.group()) and not _VERSION_CONTEXT.search(before):
            yield Finding(match.start(), match.end(), "ip_address")
    for match in _matches_near(text, _IPV6_GATE, _IPV6, 40):
        groups = [group for group in match.group().split(":") if group]
        byte_dump = all(len(group) == 2 for group in groups)  # `e4:85:05:f1:…`: key dumps, MAC addresses
        if match.group().count(":") >= 3 and not byte_dump and _public_ip(match.group()):
            yield Finding(match.start(), match.end(), "ip_address")
