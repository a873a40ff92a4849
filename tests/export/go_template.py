"""A renderer for the small part of Go's text/template that codetune's Modelfile TEMPLATEs use (test only).

Ollama renders TEMPLATE with Go's text/template; no Go toolchain is on the test machines, so this renders
the constructs our templates are written in: text, `{{ .Field }}`, `{{ if X }}…{{ else if X }}…{{ else }}…
{{ end }}`, `{{ range .Messages }}…{{ end }}`, `eq .Field "text"`, and the `{{-`/`-}}` trim markers. Anything
else raises, so a template that drifts outside this subset fails its test instead of passing unchecked.
Ollama's own step is emulated too: a Modelfile SYSTEM becomes the first message when a chat has none.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


def _tokens(template: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position, trim_next = 0, False
    for match in _ACTION.finditer(template):
        text = template[position : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        tokens.append(("text", text))
        tokens.append(("action", match.group(2)))
        position, trim_next = match.end(), bool(match.group(3))
    tail = template[position:]
    tokens.append(("text", tail.lstrip() if trim_next else tail))
    return tokens


def _value(expression: str, data: dict[str, Any]) -> Any:
    words = shlex.split(expression)  # quoted strings lose their quotes; fields keep their dot

    def operand(word: str) -> Any:
        return data.get(word[1:], "") if word.startswith(".") else word

    if words[0] == "eq" and len(words) == 3:
        return operand(words[1]) == operand(words[2])
    if words[0] == "not" and len(words) == 2:
        return not operand(words[1])
    if len(words) == 1 and words[0].startswith("."):
        return operand(words[0])
    raise ValueError(f"Go template construct outside the tested subset: {expression!r}")


def _render(
    tokens: list[tuple[str, str]], start: int, data: dict[str, Any], out: list[str]
) -> tuple[int, str]:
    """Render until an `else`/`end` at this level; returns (index of that token, its action)."""
    index = start
    while index < len(tokens):
        kind, content = tokens[index]
        if kind == "text":
            out.append(content)
            index += 1
            continue
        head = content.split(" ", 1)[0]
        if head in ("end", "else"):
            return index, content
        if head == "if":
            index = _render_if(tokens, index, data, out)
        elif head == "range":
            items = _value(content[len("range ") :], data)
            body_start = index + 1
            end, _ = _next_branch(tokens, body_start, stops=("end",))
            for item in items:
                _render(tokens, body_start, {**data, **item}, out)
            index = end + 1
        else:
            out.append(str(_value(content, data)))
            index += 1
    return index, ""


def _next_branch(tokens: list[tuple[str, str]], start: int, stops: tuple[str, ...] = ("end", "else")):
    """(index, action) of the first `end` (or `else`) at this nesting level from `start`."""
    depth, index = 0, start
    while index < len(tokens):
        kind, content = tokens[index]
        head = content.split(" ", 1)[0] if kind == "action" else ""
        if head in ("if", "range"):
            depth += 1
        elif head == "end" and depth:
            depth -= 1
        elif head in stops and depth == 0:
            return index, content
        index += 1
    raise ValueError("unclosed block")


def _render_if(tokens: list[tuple[str, str]], index: int, data: dict[str, Any], out: list[str]) -> int:
    condition = tokens[index][1][len("if ") :]
    done = False
    while True:
        taken = not done and bool(_value(condition, data)) if condition is not None else not done
        branch: list[str] = []
        stop, action = (
            _render(tokens, index + 1, data, branch) if taken else (_next_branch(tokens, index + 1))
        )
        if taken:
            out.extend(branch)
            done = True
        if action == "end":
            return stop + 1
        condition = action[len("else if ") :] if action.startswith("else if ") else None
        index = stop


def render(
    template: str, messages: list[dict[str, str]] | None = None, system: str = "", **fields: str
) -> str:
    """Render like Ollama: `.Messages` (with SYSTEM first when the chat has no system turn), `.Prompt`, ..."""
    messages = [dict(m) for m in messages or []]
    if system and not any(m["role"] == "system" for m in messages):
        messages.insert(0, {"role": "system", "content": system})
    data = {"Messages": [{"Role": m["role"], "Content": m["content"]} for m in messages], "System": system}
    data.update(fields)
    out: list[str] = []
    _render(_tokens(template), 0, data, out)
    return "".join(out)
