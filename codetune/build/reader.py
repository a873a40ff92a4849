"""The collect stage's reader: one task's parts of pinned repositories → file and repo-tree documents.

Gates run before a blob is read (vendored directories, lock files, sizes), then on bytes (binary, UTF-8),
so a `node_modules` folder costs a path comparison. Every entry that does not become a document is counted
as `dropped_<reason>`; nothing is lost silently.
"""

from __future__ import annotations

from collections import OrderedDict

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from codetune.build.plan import BuildPlan, ResolvedSource, TaskPart
from codetune.documents import FileMeta, RepoTreeMeta, make_document
from codetune.filters.files import DropReason, PathGate, decode_source_file
from codetune.parse.trees import render_tree
from codetune.sources.attributes import unkept_attribute
from codetune.sources.snapshot import RepositorySnapshot, TreeEntry, find_readme

# A repository cut into several tasks is listed once per process, not once per task: a listing costs about
# 30 µs an entry, seconds for a large repository. Keyed by the plan's fingerprint (it changes when a
# folder's files do) and where the source is read from; the last two listings are kept.
_LISTINGS: OrderedDict[tuple[str, int, str], tuple[RepositorySnapshot, list[TreeEntry]]] = OrderedDict()
_LISTINGS_KEPT = 2


class RepositoryReader(PipelineStep):
    """Reads the parts of repositories that `plan.tasks[rank]` names, in order."""

    type = "📖 - READER"
    name = "🗂 Repositories"

    def __init__(self, plan: BuildPlan):
        super().__init__()
        self.plan = plan

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for part in self.plan.tasks[rank].parts:
            yield from self.read_part(part)

    def listed(self, source_index: int) -> tuple[RepositorySnapshot, list[TreeEntry]]:
        """The source's snapshot and entries, listed once per process (see `_LISTINGS`)."""
        resolved = self.plan.sources[source_index]
        key = (self.plan.fingerprint, source_index, resolved.path)
        if key in _LISTINGS:
            _LISTINGS.move_to_end(key)
            return _LISTINGS[key]
        snapshot = resolved.open()
        listing = _LISTINGS[key] = (snapshot, list(snapshot.entries()))
        while len(_LISTINGS) > _LISTINGS_KEPT:
            _LISTINGS.popitem(last=False)
        return listing

    def read_part(self, part: TaskPart) -> DocumentsPipeline:
        resolved = self.plan.sources[part.source_index]
        snapshot, entries = self.listed(part.source_index)
        if part.starts_repository:
            yield self.tree_document(resolved, snapshot, entries)
        gate = PathGate(resolved.source, self.plan.ecosystem.filters)
        attributes = self.plan.ecosystem.repository_attributes
        selected: list[str] = []
        for entry in entries:
            if not part.covers(entry.path):
                continue
            self.stat_update("files_seen")
            reason = self.entry_reason(entry) or gate.reason(entry.path, entry.size)
            if reason is not None:
                self.stat_update(f"dropped_{reason.value}")
                continue
            unkept = unkept_attribute(resolved.attributes.for_path(entry.path), attributes)
            if unkept is not None:  # e.g. a Godot 3 project in a Godot 4 dataset
                self.stat_update(f"dropped_{unkept}_not_kept")
                continue
            selected.append(entry.path)
        for path, data_bytes in snapshot.read_files(selected):
            with self.track_time():
                decoded, reason = decode_source_file(path, data_bytes, self.plan.ecosystem.filters)
            if decoded is None:
                self.stat_update(f"dropped_{reason.value}")
                continue
            meta = FileMeta(
                repo=resolved.name,
                commit=resolved.commit,
                split=resolved.split,
                license=resolved.license,
                path=path,
                language=decoded.language,
                role=resolved.source.role,
                size=len(data_bytes),
                attributes=tuple(resolved.attributes.for_path(path).items()),
            )
            self.stat_update("files_read")
            yield make_document(decoded.text, meta)

    @staticmethod
    def entry_reason(entry: TreeEntry) -> DropReason | None:
        """Submodules and symlinks are never followed: an untrusted repo could point anywhere."""
        if entry.kind == "submodule":
            return DropReason.SUBMODULE
        if entry.kind == "symlink":
            return DropReason.SYMLINK_OUTSIDE_REPO if entry.link_escapes else DropReason.SYMLINK
        return None

    def tree_document(self, resolved: ResolvedSource, snapshot: RepositorySnapshot, entries: list[TreeEntry]):
        settings = self.plan.ecosystem
        tree = render_tree(
            resolved.name,
            (entry.path for entry in entries),
            settings.filters.excluded_dirs,
            settings.trees.max_entries,
        )
        readme = ""
        readme_path = find_readme(entries)
        if readme_path is not None:
            for _, content in snapshot.read_files([readme_path]):
                readme = content[: settings.trees.max_readme_bytes].decode("utf-8", errors="replace")
        meta = RepoTreeMeta(
            repo=resolved.name,
            commit=resolved.commit,
            split=resolved.split,
            license=resolved.license,
            readme=readme,
            file_count=tree.file_count,
            directory_count=tree.directory_count,
            attributes=tuple(resolved.attributes.for_repository().items()),
        )
        self.stat_update("repo_trees")
        return make_document(tree.text, meta)
