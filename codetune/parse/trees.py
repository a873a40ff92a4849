"""Render a repository's directory tree as text, in the shape of the `tree` command.

The `trees` subset teaches a model how projects of an ecosystem are laid out (where scenes, contracts and
tests live), which file-level data never shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codetune.filters.files import in_excluded_dir


@dataclass
class _Directory:
    children: dict[str, _Directory | None] = field(default_factory=dict)  # None marks a file


@dataclass(frozen=True)
class RenderedTree:
    text: str
    file_count: int
    directory_count: int


def _insert(root: _Directory, path: str) -> None:
    *directories, name = path.split("/")
    node = root
    for directory in directories:
        child = node.children.get(directory)
        if child is None:
            child = node.children[directory] = _Directory()
        node = child
    node.children.setdefault(name, None)


def render_tree(
    root_name: str, paths: Iterable[str], excluded_dirs: tuple[str, ...] = (), max_entries: int = 2000
) -> RenderedTree:
    """`tree`-style text of the given repo-relative paths; vendored directories are pruned entirely."""
    root = _Directory()
    for path in paths:
        if not in_excluded_dir(path, excluded_dirs):
            _insert(root, path)
    lines = [root_name]
    counts = {"files": 0, "directories": 0, "shown": 0, "hidden": 0}

    def walk(node: _Directory, prefix: str) -> None:
        # Directories first, then files, each alphabetical: the order `tree --dirsfirst` prints.
        names = sorted(node.children, key=lambda name: (node.children[name] is None, name))
        for position, name in enumerate(names):
            child = node.children[name]
            counts["directories" if child is not None else "files"] += 1
            if counts["shown"] >= max_entries:
                counts["hidden"] += 1
            else:
                counts["shown"] += 1
                last = position == len(names) - 1
                lines.append(f"{prefix}{'└── ' if last else '├── '}{name}")
            if child is not None:
                walk(child, prefix + ("    " if position == len(names) - 1 else "│   "))

    walk(root, "")
    if counts["hidden"]:
        lines.append(f"... {counts['hidden']} more entries")
    directories, files = counts["directories"], counts["files"]
    lines.append("")
    lines.append(
        f"{directories} director{'y' if directories == 1 else 'ies'}, {files} file{'' if files == 1 else 's'}"
    )
    return RenderedTree(text="\n".join(lines), file_count=files, directory_count=directories)
