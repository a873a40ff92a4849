"""The declarations a function uses from its file and class: fields, signals, constants, signatures.

godot-dodo's report names its models' remaining weakness: functions reference members initialised outside
them, so the model learned to assume things that do not exist. `describe` puts these declarations in the
prompt and in the row's input, so the instruction → code pair is self-contained.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from tree_sitter import Node

from codetune.parse.languages import get_parser

_WRAPPERS = frozenset({"export_statement", "decorated_definition", "expression_statement"})
# Nodes with a body whose members are declarations too (classes, impl blocks).
_CONTAINER_BODIES = frozenset({"class_body", "body", "block", "declaration_list", "field_declaration_list"})
_SKIPPED = frozenset(
    {"comment", "line_comment", "block_comment", "import_statement", "import_from_statement"}
)
_MAX_DECLARATION_CHARS = 200
_MAX_DECLARATIONS = 24
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _declared_name(node: Node, source: bytes) -> str:
    """The name a top-level or member node declares: its `name` field, or the first identifier it assigns."""
    named = node.child_by_field_name("name")
    if named is None:
        for field in ("left", "declarator", "pattern"):
            target = node.child_by_field_name(field)
            if target is not None:
                return _declared_name(target, source) or source[target.start_byte : target.end_byte].decode()
        if node.type in {"identifier", "name"}:
            return source[node.start_byte : node.end_byte].decode()
        declarators = [child for child in node.named_children if child.type not in _SKIPPED]
        return _declared_name(declarators[0], source) if declarators and node.type not in _LEAVES else ""
    return source[named.start_byte : named.end_byte].decode("utf-8", "replace")


_LEAVES = frozenset({"string", "integer", "float", "number", "call", "call_expression"})


def _signature(node: Node, source: bytes) -> str:
    """A declaration as the prompt shows it: a definition's header without its body, or the statement."""
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    text = source[node.start_byte : end].decode("utf-8", "replace").strip().rstrip("{").rstrip()
    text = " ".join(line.strip() for line in text.splitlines())
    return text if len(text) <= _MAX_DECLARATION_CHARS else text[: _MAX_DECLARATION_CHARS - 1] + "…"


def _members(container: Node) -> Iterator[Node]:
    for child in container.named_children:
        if child.type in _SKIPPED:
            continue
        if child.type in _WRAPPERS and child.named_child_count:
            inner = child.child_by_field_name("declaration") or child.child_by_field_name("definition")
            child = inner or child.named_children[-1] if child.type != "expression_statement" else child
            if child.type == "expression_statement" and child.named_child_count:
                child = child.named_children[0]
        yield child


@functools.lru_cache(maxsize=64)  # rows come sorted by id, so a file's functions come one after another
def file_declarations(language: str, source: bytes) -> tuple[tuple[str, str], ...]:
    """(name, signature) of every declaration at file level and in class bodies, in source order."""
    parser = get_parser(language)
    if parser is None:
        return ()
    found: list[tuple[str, str]] = []
    pending = [parser.parse(source).root_node]
    while pending:
        container = pending.pop(0)
        for member in _members(container):
            name = _declared_name(member, source)
            if name:
                found.append((name, _signature(member, source)))
            body = member.child_by_field_name("body")
            if body is not None and (
                (body.type in _CONTAINER_BODIES and "class" in member.type + body.type)
                or member.type in {"impl_item", "class_definition", "class_declaration"}
            ):
                pending.append(body)
    return tuple(found)


def used_declarations(language: str, file_source: str, code: str, name: str) -> list[str]:
    """Signatures of the file's declarations that `code` (the function named `name`) refers to."""
    used = set(_IDENTIFIER.findall(code)) - {name}
    lines: list[str] = []
    for declared, signature in file_declarations(language, file_source.encode()):
        if declared in used and signature not in lines and signature not in code:
            lines.append(signature)
    return lines[:_MAX_DECLARATIONS]
