"""Ways to make the rejected side of a preference pair, one function per `negative_kind`.

A negative maker takes one document and yields `PreferencePair`s (chosen = the real thing). Rule-based
kinds live here now: `deprecated_api` (real code rewritten with the ecosystem's old API) and
`corrupted_tree` (a real repository tree with one file moved or renamed against its conventions). A
model-generated kind is one more entry in `NEGATIVE_MAKERS` and `subset_settings.NEGATIVE_KINDS`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from datatrove.data import Document

from codetune.documents import RecordKind, RepoTreeMeta, SegmentMeta
from codetune.errors import EcosystemConfigError
from codetune.parse.trees import render_tree
from codetune.subsets.base import SubsetContext, row_seed
from codetune.subsets.instruct import render_user_turn, segment_context

_CONNECTOR = re.compile(r"(├── |└── )")


@dataclass(frozen=True)
class PreferencePair:
    """One pair, with its user turn; `rule` says how the rejected side was made."""

    key: str  # makes the row id unique within the document
    prompt: str
    chosen: str
    rejected: str
    rule: str


@dataclass(frozen=True)
class NegativeMaker:
    record_kind: RecordKind
    pairs: Callable[[Document, SubsetContext], Iterator[PreferencePair]]


# --- deprecated_api -----------------------------------------------------------------------------------


def segment_prompt(meta: SegmentMeta, template: str) -> str:
    """The user turn asking for this function: its docstring when it has one, else its name and place."""
    instruction = meta.docstring.strip() or f"Write the {meta.segment_kind} `{meta.name}`."
    return render_user_turn(template, instruction, segment_context(meta))


def deprecated_api_pairs(document: Document, context: SubsetContext) -> Iterator[PreferencePair]:
    """Chosen = real code; rejected = the same code with one entry's current API rewritten to the old one."""
    meta = SegmentMeta.from_document(document)
    if meta.has_error or not context.ecosystem.deprecated_apis:
        return
    code = document.text
    for index, api in enumerate(context.ecosystem.deprecated_apis):
        if api.languages and meta.language not in api.languages:
            continue
        try:
            rejected, count = re.subn(api.current, api.deprecated, code)
        except (re.error, IndexError) as error:
            raise EcosystemConfigError(
                f"deprecated_apis[{index}] ({api.current!r}): field 'deprecated' is not a valid replacement "
                f"for this pattern: {error}"
            ) from error
        if not count or rejected == code:
            continue
        context.count(f"dpo_rule_matched_{index}")
        yield PreferencePair(
            key=f"api{index}",
            prompt=segment_prompt(meta, context.ecosystem.instruct.template),
            chosen=code,
            rejected=rejected,
            rule=api.description or f"{api.current} -> {api.deprecated}",
        )


# --- corrupted_tree -----------------------------------------------------------------------------------


def tree_paths(tree_text: str) -> list[str] | None:
    """File paths of a tree rendered by `render_tree`; None if it was cut (`... N more entries`)."""
    lines = tree_text.split("\n")
    entries: list[tuple[int, str]] = []
    for line in lines[1:]:
        if not line:
            break
        if line.startswith("... "):
            return None
        match = _CONNECTOR.search(line)
        if match is None:
            return None
        entries.append((match.start() // 4, line[match.end() :]))
    paths, stack = [], []
    for position, (depth, name) in enumerate(entries):
        del stack[depth:]
        is_directory = position + 1 < len(entries) and entries[position + 1][0] > depth
        if is_directory:
            stack.append(name)
        else:
            paths.append("/".join([*stack, name]))
    return paths


def _swap_case(name: str) -> str:
    return (name[0].lower() if name[0].isupper() else name[0].upper()) + name[1:]


def corrupt_paths(paths: list[str], rng: random.Random) -> tuple[list[str], str] | None:
    """One violation of the repository's layout: a file moved across levels or its name's case flipped."""
    existing = set(paths)
    nested = [path for path in paths if "/" in path and path.rsplit("/", 1)[1] not in existing]
    directories = sorted({path.rsplit("/", 1)[0] for path in paths if "/" in path})
    top_level = [path for path in paths if "/" not in path]
    renamable = [path for path in paths if path.rsplit("/", 1)[-1][:1].isalpha()]
    moves = []
    if nested:
        moves.append("moved_to_root")
    if top_level and directories:
        moves.append("moved_into_directory")
    if renamable:
        moves.append("renamed_case")
    if not moves:
        return None
    move = rng.choice(moves)
    if move == "moved_to_root":
        old = rng.choice(nested)
        new = old.rsplit("/", 1)[1]
    elif move == "moved_into_directory":
        old = rng.choice(top_level)
        new = f"{rng.choice(directories)}/{old}"
    else:
        old = rng.choice(renamable)
        head, _, name = old.rpartition("/")
        new = f"{head}/{_swap_case(name)}" if head else _swap_case(name)
    if new in existing:
        return None
    return [new if path == old else path for path in paths], f"{move}: {old} -> {new}"


def tree_prompt(meta: RepoTreeMeta, ecosystem_name: str, template: str) -> str:
    readme = meta.readme.strip().split("\n\n")
    about = "\n\n".join(readme[:2])[:600]
    instruction = f"Show the directory layout of the {ecosystem_name} project `{meta.repo}`."
    return render_user_turn(template, instruction, f"README:\n{about}" if about else "")


def corrupted_tree_pairs(document: Document, context: SubsetContext) -> Iterator[PreferencePair]:
    """Chosen = the real tree; rejected = the tree re-rendered after one file was moved or renamed."""
    meta = RepoTreeMeta.from_document(document)
    paths = tree_paths(document.text)
    if paths is None:
        context.count("dpo_skipped_truncated_tree")
        return
    corrupted = corrupt_paths(paths, random.Random(row_seed(context.ecosystem.dpo.seed, document.id)))
    if corrupted is None:
        context.count("dpo_skipped_small_tree")
        return
    new_paths, rule = corrupted
    root = document.text.split("\n", 1)[0]
    rejected = render_tree(root, new_paths, (), max_entries=len(new_paths) * 2 + 1).text
    if rejected == document.text:
        context.count("dpo_skipped_small_tree")
        return
    yield PreferencePair(
        key="tree",
        prompt=tree_prompt(meta, context.ecosystem.name, context.ecosystem.instruct.template),
        chosen=document.text,
        rejected=rejected,
        rule=rule,
    )


NEGATIVE_MAKERS: dict[str, NegativeMaker] = {
    "deprecated_api": NegativeMaker(RecordKind.SEGMENT, deprecated_api_pairs),
    "corrupted_tree": NegativeMaker(RecordKind.REPO_TREE, corrupted_tree_pairs),
}
