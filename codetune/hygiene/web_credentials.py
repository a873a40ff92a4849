"""Credentials in URLs, HTTP headers, command lines and config files: `scheme://user:password@host`,
`Authorization: Bearer …` / `Basic …`, `curl -u user:password`, XML `<add key="…Password" value="…"/>` and
the data of a Kubernetes `kind: Secret`. Templated values (`${PASSWORD}`, `{token}`, `<password>`, `$PASS`)
are references, not secrets, and are kept.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from codetune.hygiene.secret_scan import Finding, TextScan, random_looking_token

_USERINFO = re.compile(r"(?P<user>[^\s:/@\"'`<>{}]{1,64}):(?P<password>[^\s@/\"'`]{1,128})@(?P<host>[\w.-]+)")
# `https://<token>@github.com/org/repo.git`: a token as the whole userinfo (clone URLs, CI scripts).
_USER_TOKEN = re.compile(r"(?P<token>[A-Za-z0-9_.~-]{20,200})@[\w.-]+")
_TEMPLATE = re.compile(
    r"^(?:\$|%|\{|<|\*+$|x+$|\.\.\.)|[{}$]|^(?:password|pass|passwd|pwd|secret|token)$", re.I
)
_AUTH_SCHEME = re.compile(r"(?i)\b(?P<scheme>bearer|basic)[ \t]+(?P<value>[A-Za-z0-9._~+/=-]{8,})")
_CURL_USER = re.compile(
    r"(?:\s-u|\s--user)(?:[ \t]*|=)[\"']?(?P<user>[^\s:\"']{1,64}):(?P<password>[^\s\"']{3,128})"
)
_XML_SECRET = re.compile(
    r"key=\"[^\"]*(?:password|secret|token|apikey)[^\"]*\"\s+value=\"(?P<value>[^\"]{6,})\"", re.IGNORECASE
)
_K8S_SECRET_DATA = re.compile(
    r"^kind:[ \t]*[\"']?Secret[\"']?[ \t]*$(?P<body>(?:\n(?!---).*){0,80})", re.MULTILINE
)
_DATA_ENTRY = re.compile(
    r"^(?P<indent>[ \t]+)[\w.-]+:[ \t]*[\"']?(?P<value>[A-Za-z0-9+/=._-]{8,})[\"']?[ \t]*$"
)


def _template(value: str) -> bool:
    return bool(_TEMPLATE.search(value))


def _password_secret(user: str, password: str) -> bool:
    """Not a template, and not the user name again (`guest:guest`, `postgres:postgres`: local defaults)."""
    return not (_template(password) or _template(user) or password == user)


def _url_passwords(text: str) -> Iterator[Finding]:
    position = text.find("://")
    while position >= 0:
        match = _USERINFO.match(text, position + 3)
        token = _USER_TOKEN.match(text, position + 3)
        if match is not None and _password_secret(match.group("user"), match.group("password")):
            yield Finding(match.start("password"), match.end("password"), "api_key")
        elif token is not None and random_looking_token(token.group("token")):
            yield Finding(token.start("token"), token.end("token"), "api_key")
        position = text.find("://", position + 3)


def _basic_credentials(value: str) -> bool:
    """`Basic` carries base64 of `user:password`."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _auth_headers(scan: TextScan) -> Iterator[Finding]:
    for offset, line in scan.line_texts(scan.name_lines + scan.token_lines):
        for match in _AUTH_SCHEME.finditer(line):
            value = match.group("value")
            if match.group("scheme").lower() == "basic":
                secret = _basic_credentials(value)
            else:
                secret = len(value) >= 16 and random_looking_token(value.replace(".", ""))
            if secret and not _template(value):
                yield Finding(offset + match.start("value"), offset + match.end("value"), "api_key")


def _curl_users(text: str) -> Iterator[Finding]:
    for match in _CURL_USER.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        command = text[max(0, line_start - 400) : match.start()]
        if "curl" in command and not _template(match.group("password")):
            yield Finding(match.start("password"), match.end("password"), "api_key")


def _kubernetes_secrets(text: str) -> Iterator[Finding]:
    for secret in _K8S_SECRET_DATA.finditer(text):
        body_start = secret.start("body")
        in_data = False
        for line in re.finditer(r"\n(?P<line>[^\n]*)", secret.group("body")):
            content = line.group("line")
            if re.match(r"(?:data|stringData):\s*$", content):
                in_data = True
                continue
            entry = _DATA_ENTRY.match(content)
            if in_data and entry is not None:
                if not _template(entry.group("value")):
                    start = body_start + line.start("line") + entry.start("value")
                    yield Finding(start, start + len(entry.group("value")), "api_key")
            elif content and not content[0].isspace():
                in_data = False


def find_web_credentials(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    if "://" in text and "@" in text:
        yield from _url_passwords(text)
    if "bearer" in scan.lower or "basic" in scan.lower:
        yield from _auth_headers(scan)
    if "curl" in text:
        yield from _curl_users(text)
    if 'value="' in text:
        for match in _XML_SECRET.finditer(text):
            if not _template(match.group("value")):
                yield Finding(match.start("value"), match.end("value"), "api_key")
    if "kind:" in text and "Secret" in text:
        yield from _kubernetes_secrets(text)
