"""Read existing instruction datasets into the `instruct` subset: Alpaca JSON and prompt/completion JSONL.

Alpaca files (Stanford Alpaca, Code Alpaca) are a JSON list of `{"instruction", "input", "output"}` objects
(`input` may be missing or empty); a `.jsonl` file with the same keys, one object a line, is read too.
Prompt/completion files are JSONL with `{"prompt", "completion"}` per line. A malformed file stops the build
before any stage runs, with an error that names the file, the line and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from codetune.definitions.subset_settings import InstructionImport
from codetune.errors import CodetuneError


class InstructionImportError(CodetuneError):
    """An instruction file to import is missing or malformed; the message names file, line and field."""


@dataclass(frozen=True)
class ImportedInstruction:
    instruction: str
    input: str
    output: str
    line: int  # 1-based line where the record starts


_FIELDS = {
    "alpaca": (("instruction", True), ("input", False), ("output", True)),
    "prompt_completion": (("prompt", True), ("completion", True)),
}


def _records_of_json_list(text: str, path: str) -> Iterator[tuple[int, object]]:
    """(line, value) of each element of a top-level JSON list, decoded one by one to know their lines."""
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip())
    if not text[position:].startswith("["):
        raise InstructionImportError(
            f"{path}: line {text.count(chr(10), 0, position) + 1}: expected a JSON list of Alpaca records "
            '(`[{"instruction": ..., "input": ..., "output": ...}, ...]`)'
        )
    position += 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            raise InstructionImportError(f"{path}: the JSON list is not closed with ']'")
        if text[position] == "]":
            return
        line = text.count("\n", 0, position) + 1
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise InstructionImportError(f"{path}: line {error.lineno}: invalid JSON: {error.msg}") from None
        yield line, value


def _records_of_jsonl(text: str, path: str) -> Iterator[tuple[int, object]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise InstructionImportError(f"{path}: line {number}: invalid JSON: {error.msg}") from None


def _field(record: dict, name: str, required: bool, where: str) -> str:
    if name not in record:
        if required:
            raise InstructionImportError(f"{where}: missing field '{name}'")
        return ""
    value = record[name]
    if not isinstance(value, str):
        raise InstructionImportError(f"{where}: field '{name}' must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise InstructionImportError(f"{where}: field '{name}' is empty")
    return value


def read_instruction_import(spec: InstructionImport) -> list[ImportedInstruction]:
    """Every record of one import file, checked; raises InstructionImportError on the first bad one."""
    path = Path(spec.path)
    if not path.is_file():
        raise InstructionImportError(
            f"instruct import {spec.path!r}: file not found; give an absolute path or one relative to "
            f"the directory you build from ({Path.cwd()})"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InstructionImportError(
            f"{spec.path}: not valid UTF-8 ({error.reason} at byte {error.start})"
        ) from None
    as_list = spec.format == "alpaca" and path.suffix != ".jsonl"
    records = _records_of_json_list(text, spec.path) if as_list else _records_of_jsonl(text, spec.path)
    imported = []
    for line, record in records:
        where = f"{spec.path}: line {line}"
        if not isinstance(record, dict):
            raise InstructionImportError(f"{where}: expected a JSON object, got {type(record).__name__}")
        values = [_field(record, name, required, where) for name, required in _FIELDS[spec.format]]
        if spec.format == "alpaca":
            instruction, input_text, output = values
        else:
            (instruction, output), input_text = values, ""
        imported.append(ImportedInstruction(instruction, input_text, output, line))
    if not imported:
        raise InstructionImportError(
            f"{spec.path}: holds no records; remove it from `instruct.imports` or fill it"
        )
    return imported
