"""Settings of the training subsets `fim`, `instruct` and `dpo`, validated when created.

They live on `Ecosystem` (`fim=FimSettings(...)`, `instruct=InstructSettings(...)`, `dpo=DpoSettings(...)`)
and in YAML as mappings under the same keys; a bad value fails with an error naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from codetune.definitions.fim_formats import fim_format
from codetune.errors import EcosystemConfigError

SPAN_MODES = ("ast", "line", "random")
PROMPT_TEMPLATES = ("chat", "alpaca")
IMPORT_FORMATS = ("alpaca", "prompt_completion")
NEGATIVE_KINDS = ("deprecated_api", "corrupted_tree")


def _fail(owner: str, field_name: str, problem: str) -> EcosystemConfigError:
    return EcosystemConfigError(f"{owner}: field '{field_name}' {problem}")


def _check_rate(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise _fail(owner, name, f"must be a number between 0 and 1, got {value!r}")


def _check_count(owner: str, name: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(owner, name, f"must be an integer of at least {minimum}, got {value!r}")


def _check_seed(owner: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(owner, "seed", f"must be an integer, got {value!r}")


def _choices(owner: str, name: str, values: Any, known: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise _fail(owner, name, f"must be a list drawn from {list(known)}, got {values!r}")
    unknown = [value for value in values if value not in known]
    if unknown:
        raise _fail(owner, name, f"has unknown values {unknown}; known: {list(known)}")
    return tuple(values)


@dataclass(frozen=True)
class FimSettings:
    """Fill-in-the-middle rows: per code file, with probability `fim_rate` cut into prefix/middle/suffix.

    Rates follow Bavarian et al. 2022 and StarCoder (FIM rate 0.5, SPM rate 0.5). `span_mix` weighs how the
    middle is chosen: `ast` (a whole tree-sitter node: function body, block, expression, argument list),
    `line` (whole lines) or `random` (any character span).
    """

    format: str = "starcoder"
    fim_rate: float = 0.5
    spm_rate: float = 0.5
    span_mix: tuple[tuple[str, float], ...] = (("ast", 0.5), ("line", 0.25), ("random", 0.25))
    min_chars: int = 32  # a file with fewer non-blank characters takes no span: skipped and counted
    spans_per_file: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        owner = "fim"
        if not isinstance(self.format, str):
            raise _fail(owner, "format", f"must be a sentinel family name, got {self.format!r}")
        fim_format(self.format)  # an unknown family fails here, listing the known ones
        _check_rate(owner, "fim_rate", self.fim_rate)
        _check_rate(owner, "spm_rate", self.spm_rate)
        _check_count(owner, "min_chars", self.min_chars)
        _check_count(owner, "spans_per_file", self.spans_per_file)
        _check_seed(owner, self.seed)
        mix = self.span_mix.items() if isinstance(self.span_mix, Mapping) else self.span_mix
        try:
            weights = dict((str(mode), weight) for mode, weight in mix)
        except (TypeError, ValueError):
            raise _fail(owner, "span_mix", f"must map span modes to weights, got {self.span_mix!r}") from None
        unknown = sorted(set(weights) - set(SPAN_MODES))
        if unknown:
            raise _fail(owner, "span_mix", f"has unknown span modes {unknown}; known: {list(SPAN_MODES)}")
        for mode, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                raise _fail(
                    owner, "span_mix", f"weight of {mode!r} must be a non-negative number, got {weight!r}"
                )
        if not sum(weights.values()) > 0:
            raise _fail(owner, "span_mix", "needs at least one positive weight")
        canonical = tuple((mode, float(weights[mode])) for mode in SPAN_MODES if weights.get(mode, 0) > 0)
        object.__setattr__(self, "span_mix", canonical)


@dataclass(frozen=True)
class InstructionImport:
    """An existing instruction dataset to import: Alpaca JSON or prompt/completion JSONL."""

    path: str  # absolute, or relative to the working directory of the build
    format: str = (
        "alpaca"  # "alpaca": a JSON list of {instruction, input?, output}; "prompt_completion": JSONL
    )
    split: str = "train"
    name: str = ""  # in row ids and the `repo` column; defaults to the file's stem
    license: str = "unknown"  # the imported dataset's license (Code Alpaca: CC-BY-NC-4.0), in every row

    def __post_init__(self) -> None:
        owner = f"instruct import {self.path!r}"
        if not isinstance(self.path, str) or not self.path.strip():
            raise EcosystemConfigError("instruct import: field 'path' must be a non-empty file path")
        if self.format not in IMPORT_FORMATS:
            raise _fail(owner, "format", f"must be one of {list(IMPORT_FORMATS)}, got {self.format!r}")
        if self.split not in ("train", "test"):
            raise _fail(owner, "split", f"must be 'train' or 'test', got {self.split!r}")
        for name in ("name", "license"):
            if not isinstance(getattr(self, name), str):
                raise _fail(owner, name, f"must be a string, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class InstructSettings:
    """Instruction rows from docstrings (→ the function), doc prose (→ the fenced example) and imports."""

    from_docstrings: bool = True
    from_docs: bool = True
    shell_examples: bool = False  # doc examples that are only shell commands (install steps): kept when true
    imports: tuple[InstructionImport, ...] = ()
    template: str = "chat"  # prompt template of the user turn: "chat" or "alpaca" (Code Alpaca's wording)
    system_prompt: str = ""  # a system message before every user turn when set
    min_docstring_chars: int = 24  # docstrings with less prose (tags aside) are skipped and counted
    min_code_lines: int = 3  # functions with fewer non-blank lines (signature included) are trivial: skipped
    function_kinds: tuple[str, ...] = ("function", "method")

    def __post_init__(self) -> None:
        owner = "instruct"
        for name in ("from_docstrings", "from_docs", "shell_examples"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(owner, name, f"must be true or false, got {getattr(self, name)!r}")
        if self.template not in PROMPT_TEMPLATES:
            raise _fail(owner, "template", f"must be one of {list(PROMPT_TEMPLATES)}, got {self.template!r}")
        if not isinstance(self.system_prompt, str):
            raise _fail(owner, "system_prompt", f"must be a string, got {self.system_prompt!r}")
        _check_count(owner, "min_docstring_chars", self.min_docstring_chars, minimum=0)
        _check_count(owner, "min_code_lines", self.min_code_lines, minimum=1)
        if isinstance(self.function_kinds, str) or not self.function_kinds:
            raise _fail(owner, "function_kinds", f"must be a non-empty list, got {self.function_kinds!r}")
        object.__setattr__(self, "function_kinds", tuple(self.function_kinds))
        if isinstance(self.imports, (str, Mapping)) or not isinstance(self.imports, (list, tuple)):
            raise _fail(owner, "imports", f"must be a list of files to import, got {self.imports!r}")
        object.__setattr__(
            self, "imports", tuple(_instruction_import(entry, i) for i, entry in enumerate(self.imports))
        )


def _instruction_import(entry: Any, index: int) -> InstructionImport:
    if isinstance(entry, InstructionImport):
        return entry
    if isinstance(entry, str):
        return InstructionImport(path=entry)
    if not isinstance(entry, Mapping):
        raise _fail("instruct", f"imports[{index}]", f"must be a path or a mapping, got {entry!r}")
    known = {f.name for f in dataclasses.fields(InstructionImport)}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise _fail(
            "instruct", f"imports[{index}]", f"has unknown field '{unknown[0]}'; known: {sorted(known)}"
        )
    return InstructionImport(**entry)


@dataclass(frozen=True)
class DpoSettings:
    """Preference pairs: real code (chosen) against a negative made by each kind in `negative_kinds`.

    `deprecated_api`: the ecosystem's `deprecated_apis` table applied backwards to real functions;
    `corrupted_tree`: a repository's real directory tree against one with a file moved or renamed.
    """

    negative_kinds: tuple[str, ...] = NEGATIVE_KINDS
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "negative_kinds", _choices("dpo", "negative_kinds", self.negative_kinds, NEGATIVE_KINDS)
        )
        _check_seed("dpo", self.seed)
