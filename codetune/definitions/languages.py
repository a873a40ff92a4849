"""The languages codetune knows: how a file's language is recognised, and which grammar key parses it.

Pure data and name lookups, so an ecosystem definition can check its language names without loading a
grammar; `codetune.parse.languages` loads the tree-sitter grammars these keys name.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageSpec:
    """How to recognise one language's files and which grammar (if any) parses them."""

    name: str
    extensions: tuple[str, ...]
    filenames: tuple[str, ...] = ()
    shebangs: tuple[str, ...] = ()
    grammar: str | None = None
    role: str = "code"


_SPECS = (
    # name               extensions                                   filenames / shebangs / grammar / role
    LanguageSpec("python", (".py", ".pyi"), shebangs=("python", "python3", "python2", "pypy", "pypy3"),
                 grammar="python"),
    LanguageSpec("javascript", (".js", ".mjs", ".cjs", ".jsx"), shebangs=("node", "nodejs"),
                 grammar="javascript"),
    LanguageSpec("typescript", (".ts", ".mts", ".cts"), shebangs=("ts-node", "deno"), grammar="typescript"),
    LanguageSpec("tsx", (".tsx",), grammar="tsx"),
    LanguageSpec("rust", (".rs",), grammar="rust"),
    LanguageSpec("go", (".go",), grammar="go"),
    LanguageSpec("gdscript", (".gd",), grammar="gdscript"),
    LanguageSpec("solidity", (".sol",), grammar="solidity"),
    LanguageSpec("markdown", (".md", ".markdown"), grammar="markdown", role="docs"),
    LanguageSpec("json", (".json", ".jsonc")),
    LanguageSpec("toml", (".toml",)),
    LanguageSpec("yaml", (".yaml", ".yml")),
    LanguageSpec("shell", (".sh", ".bash", ".zsh"), shebangs=("sh", "bash", "dash", "zsh", "ksh")),
    LanguageSpec("html", (".html", ".htm")),
    LanguageSpec("css", (".css",)),
    LanguageSpec("scss", (".scss",)),
    LanguageSpec("godot-resource", (".tscn", ".tres", ".godot"), filenames=("project.godot",)),
    LanguageSpec("c", (".c", ".h")),
    LanguageSpec("cpp", (".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx")),
    LanguageSpec("java", (".java",)),
    LanguageSpec("kotlin", (".kt", ".kts")),
    LanguageSpec("csharp", (".cs",)),
    LanguageSpec("swift", (".swift",)),
    LanguageSpec("sql", (".sql",)),
    LanguageSpec("proto", (".proto",)),
    LanguageSpec("graphql", (".graphql", ".gql")),
    LanguageSpec("dockerfile", (".dockerfile",), filenames=("Dockerfile", "Containerfile")),
    LanguageSpec("makefile", (".mk",), filenames=("Makefile", "makefile", "GNUmakefile")),
    LanguageSpec("text", (".txt",), role="docs"),
    LanguageSpec("restructuredtext", (".rst",), role="docs"),
)  # fmt: skip

LANGUAGES: dict[str, LanguageSpec] = {spec.name: spec for spec in _SPECS}

_BY_FILENAME = {filename: spec.name for spec in _SPECS for filename in spec.filenames}
_BY_EXTENSION = {ext: spec.name for spec in _SPECS for ext in spec.extensions}
_BY_SHEBANG = {interpreter: spec.name for spec in _SPECS for interpreter in spec.shebangs}
_VERSION_SUFFIX = re.compile(r"[0-9][0-9.]*$")


def language_for_path(path: str, head: bytes = b"") -> str | None:
    """Names the language of a file from its basename, then its extension, then a "#!" line in `head`."""
    basename = posixpath.basename(path.replace("\\", "/"))
    if basename in _BY_FILENAME:
        return _BY_FILENAME[basename]
    _, ext = posixpath.splitext(basename)
    if ext.lower() in _BY_EXTENSION:
        return _BY_EXTENSION[ext.lower()]
    return _language_for_shebang(head)


def _language_for_shebang(head: bytes) -> str | None:
    """Reads the interpreter from "#!/usr/bin/env -S python3 -u" style lines, ignoring versions like 3.11."""
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
    if words and posixpath.basename(words[0]) == "env":
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    if not words:
        return None
    interpreter = posixpath.basename(words[0])
    return _BY_SHEBANG.get(interpreter) or _BY_SHEBANG.get(_VERSION_SUFFIX.sub("", interpreter))
