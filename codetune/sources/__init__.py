"""Repository readers: git URLs, bare repositories and directories, read as snapshots without a checkout."""

from codetune.sources.git import (
    GitRepositorySnapshot,
    cache_location,
    clone_into_cache,
    open_bare_repository,
    resolve_revision,
)
from codetune.sources.local import DirectorySnapshot
from codetune.sources.snapshot import RepositorySnapshot, TreeEntry
from codetune.sources.spec import SourceSpec, open_snapshot, parse_source_spec

__all__ = [
    "DirectorySnapshot",
    "GitRepositorySnapshot",
    "RepositorySnapshot",
    "SourceSpec",
    "TreeEntry",
    "cache_location",
    "clone_into_cache",
    "open_bare_repository",
    "open_snapshot",
    "parse_source_spec",
    "resolve_revision",
]
