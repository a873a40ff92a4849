"""`instruct`: instruction → code rows that TRL's `SFTTrainer` takes as `messages` or `prompt`/`completion`.

Three sources: a function's human docstring → the function without it (godot-dodo's idea with human
instructions), the prose just before a fenced docs example → the example (dcl-codellama's idea), and
imported Alpaca / prompt-completion files. Every row keeps the raw `instruction`, `input`, `output`.

`messages`, `prompt` and `completion` are all conversational (lists of `{role, content}`): TRL decides a
row's format from whichever of those keys it looks at first, so mixing plain-string `prompt`s with list
`messages` would make that choice depend on set ordering. The user turn's text is rendered by the selected
jinja2 template in `codetune/templates/prompts/` (`chat`, or `alpaca` with and without input as Code Alpaca
words it); the assistant turn is the code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from datatrove.data import Document

from codetune.definitions.subset_settings import InstructSettings
from codetune.documents import (
    UNKNOWN_LICENSE,
    CodeExample,
    DocSectionMeta,
    RecordKind,
    SegmentMeta,
    record_kind,
)
from codetune.parse.doc_comments import docstring_prose
from codetune.subsets.base import SubsetContext, SubsetSpec, file_digest

if TYPE_CHECKING:
    import jinja2

MESSAGES = [{"role": "string", "content": "string"}]

COLUMNS = {
    "id": "string",
    "instruction": "string",
    "input": "string",
    "output": "string",
    "messages": MESSAGES,
    "prompt": MESSAGES,
    "completion": MESSAGES,
    "source": "string",  # docstring | doc_example | import
    "language": "string",
    "repo": "string",
    "path": "string",
    "license": "string",
    "commit": "string",
}

# Bodies that do nothing: a function made of these lines (besides its signature) is trivial.
_EMPTY_BODY_LINES = frozenset({"pass", "...", "{", "}", "};", "return", "return;", "return None", "end"})


@functools.cache
def _templates() -> jinja2.Environment:
    # Imported here: every worker loads this module (the subset registry), few builds render a prompt.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("codetune", "templates/prompts"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        auto_reload=False,  # the package's templates do not change mid-build: no stat per rendered row
    )


def render_user_turn(template: str, instruction: str, input_text: str) -> str:
    """The user message: `chat` as is, or Code Alpaca's wording (its with-input form when there is input)."""
    name = template if template != "alpaca" or input_text else "alpaca_no_input"
    return _templates().get_template(f"{name}.j2").render(instruction=instruction, input=input_text)


def instruction_row(
    settings: InstructSettings, row_id: str, instruction: str, input_text: str, output: str, **columns: str
) -> dict:
    """One row: the raw triple plus its conversational forms for TRL."""
    system = [{"role": "system", "content": settings.system_prompt}] if settings.system_prompt else []
    user = {"role": "user", "content": render_user_turn(settings.template, instruction, input_text)}
    assistant = [{"role": "assistant", "content": output}]
    return {
        "id": row_id,
        "instruction": instruction,
        "input": input_text,
        "output": output,
        "messages": [*system, user, *assistant],
        "prompt": [*system, user],
        "completion": assistant,
        **columns,
    }


def segment_context(meta: SegmentMeta) -> str:
    """What the docstring does not say: the language, file and name the code must have."""
    lines = [
        f"Language: {meta.language}",
        f"File: {meta.path}",
        f"{meta.segment_kind.capitalize()}: {meta.name}",
    ]
    if meta.parent:
        lines.append(f"In: {meta.parent}")
    return "\n".join(lines)


def is_trivial(code: str, min_lines: int) -> bool:
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    substantive = [line for line in lines[1:] if line not in _EMPTY_BODY_LINES]
    return 1 + len(substantive) < min_lines


def docstring_rows(document: Document, context: SubsetContext) -> Iterator[dict]:
    settings = context.ecosystem.instruct
    meta = SegmentMeta.from_document(document)
    if meta.segment_kind not in settings.function_kinds or not meta.docstring.strip():
        return
    if meta.has_error:
        context.count("instruct_skipped_parse_error")
        return
    docstring = meta.docstring.strip()
    prose = docstring_prose(docstring)
    if not prose:  # only tags (`@param status 'loading' or 'finished'`): nothing says what the code does
        context.count("instruct_skipped_tags_only")
        return
    if len(prose) < settings.min_docstring_chars:
        context.count("instruct_skipped_short_docstring")
        return
    if is_trivial(document.text, settings.min_code_lines):
        context.count("instruct_skipped_trivial_body")
        return
    # Free prose keeps its tags (they name the parameters); a prose tag alone gives just its sentence.
    has_free_prose = docstring_prose(docstring, prose_tags=False) != ""
    if not has_free_prose:
        context.count("instruct_instruction_from_prose_tag")
    context.count("instruct_rows_docstring")
    yield instruction_row(
        settings,
        f"{document.id}#instruct",
        docstring if has_free_prose else prose,
        segment_context(meta),
        document.text,
        source="docstring",
        language=meta.language,
        repo=meta.repo,
        path=meta.path,
        license=meta.license,
        commit=meta.commit,
    )


# Fences that hold terminal sessions, and the commands an untagged fence of install steps starts with.
SHELL_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "zsh", "fish", "console", "terminal", "shell-session", "shellsession",
     "powershell", "ps1", "pwsh", "cmd", "bat", "batch"}
)  # fmt: skip
_SHELL_COMMANDS = frozenset(
    {"npm", "npx", "yarn", "pnpm", "pip", "pip3", "pipx", "uv", "poetry", "cargo", "rustup", "go", "git",
     "curl", "wget", "cd", "mkdir", "brew", "apt", "apt-get", "sudo", "export", "docker", "conda", "near",
     "dcl", "sdk-commands", "pyflyte", "flytectl", "godot", "make", "nvm", "source"}
)  # fmt: skip


def is_shell_example(example: CodeExample) -> bool:
    """Whether a fenced example is a terminal session (`npm i -g decentraland`), not code of the ecosystem."""
    if example.language in SHELL_LANGUAGES:
        return True
    if example.language:
        return False
    lines = [line.strip() for line in example.code.splitlines() if line.strip()]
    commands = [line.removeprefix("$ ").removeprefix("> ") for line in lines if not line.startswith("#")]
    return bool(commands) and all(line.split()[0] in _SHELL_COMMANDS for line in commands)


def doc_example_rows(document: Document, context: SubsetContext) -> Iterator[dict]:
    settings = context.ecosystem.instruct
    meta = DocSectionMeta.from_document(document)
    for index, example in enumerate(meta.code_examples):
        if not example.code.strip():
            context.count("instruct_skipped_empty_example")
            continue
        if not example.prose.strip():
            context.count("instruct_skipped_no_prose")
            continue
        if is_shell_example(example):  # install steps teach the shell, not the ecosystem: counted apart
            context.count("instruct_shell_examples")
            if not settings.shell_examples:
                context.count("instruct_skipped_shell_example")
                continue
        context.count("instruct_rows_doc_example")
        lines = [f"Language: {example.language}"] if example.language else []
        if meta.heading_path:
            lines.append(f"Section: {' > '.join(meta.heading_path)}")
        yield instruction_row(
            settings,
            f"{document.id}#ex{index}",
            example.prose.strip(),
            "\n".join(lines),
            example.code.rstrip("\n"),
            source="doc_example",
            language=example.language,
            repo=meta.repo,
            path=meta.path,
            license=meta.license,
            commit=meta.commit,
        )


def instruct_rows(document: Document, context: SubsetContext) -> Iterator[dict]:
    settings = context.ecosystem.instruct
    kind = record_kind(document)
    if kind is RecordKind.SEGMENT and settings.from_docstrings:
        yield from docstring_rows(document, context)
    elif kind is RecordKind.DOC_SECTION and settings.from_docs:
        yield from doc_example_rows(document, context)


def imported_rows(context: SubsetContext) -> Iterator[tuple[str, dict]]:
    """Rows of the imported instruction files, in the order the settings list them (written by task 0)."""
    from codetune.subsets.instruction_imports import read_instruction_import

    settings = context.ecosystem.instruct
    for spec in settings.imports:
        name = spec.name or Path(spec.path).stem
        for record in read_instruction_import(spec):
            context.count("instruct_rows_import")
            row = instruction_row(
                settings,
                f"import:{name}:L{record.line}",
                record.instruction,
                record.input,
                record.output,
                source="import",
                language="",
                repo=name,
                path=Path(spec.path).name,
                license=spec.license or UNKNOWN_LICENSE,
                commit="",
            )
            yield spec.split, row


def imports_digest(ecosystem) -> str:
    """Checks every import file up front (a malformed one stops the build here) and fingerprints them."""
    from codetune.subsets.instruction_imports import read_instruction_import

    for spec in ecosystem.instruct.imports:
        read_instruction_import(spec)
    return file_digest(spec.path for spec in ecosystem.instruct.imports) if ecosystem.instruct.imports else ""


INSTRUCT = SubsetSpec(
    name="instruct",
    record_kinds=(RecordKind.SEGMENT, RecordKind.DOC_SECTION),
    columns=COLUMNS,
    rows=instruct_rows,
    description="Instruction → code pairs from docstrings, docs examples and imported instruction files, "
    "with `messages` and `prompt`/`completion` for TRL.",
    extra_rows=imported_rows,
    input_digest=imports_digest,
)
