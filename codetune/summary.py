"""The build summary: where every file went, what each subset holds, how long it took.

Built from datatrove's per-task stats files (`<stage>/stats/<rank>.json`), which survive a resume: a task
finished by an earlier, killed run still counts.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


def read_stage_stats(logging_dir: Path) -> Counter[str]:
    """Totals of every stat label over all tasks of a stage (labels are unique across our steps)."""
    totals: Counter[str] = Counter()
    for path in sorted((logging_dir / "stats").glob("*.json")):
        for step in json.loads(path.read_text()):
            for label, value in step.get("stats", {}).items():
                totals[label] += int(value["total"] if isinstance(value, dict) else value)
    return totals


def _with_prefix(stats: Counter[str], prefix: str) -> dict[str, int]:
    return dict(
        sorted((label[len(prefix) :], count) for label, count in stats.items() if label.startswith(prefix))
    )


def count_rows(
    out_dir: Path, subsets: tuple[str, ...]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Rows and Parquet bytes per config and split, read from the written shards."""
    rows: dict[str, dict[str, int]] = {}
    sizes: dict[str, dict[str, int]] = {}
    for config in subsets:
        rows[config], sizes[config] = {}, {}
        for shard in sorted((out_dir / config).glob("*.parquet")):
            split = shard.name.split("-", 1)[0]
            rows[config][split] = rows[config].get(split, 0) + pq.read_metadata(shard).num_rows
            sizes[config][split] = sizes[config].get(split, 0) + shard.stat().st_size
    return rows, sizes


@dataclass
class SourceSummary:
    name: str
    location: str
    revision: str
    commit: str
    split: str
    role: str
    skipped: str


@dataclass
class BuildSummary:
    ecosystem: str
    fingerprint: str
    executor: str
    num_proc: int
    sources: list[SourceSummary]
    files_seen: int
    files_kept: int
    dropped: dict[str, int]
    parse_skipped: dict[str, int]
    files_with_parse_errors: int
    segments_per_language: dict[str, int]
    doc_sections: int
    doc_code_examples: int
    kept_text_bytes: int
    rows: dict[str, dict[str, int]]
    parquet_bytes: dict[str, dict[str, int]]
    wall_time_s: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def files_dropped(self) -> int:
        return sum(self.dropped.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildSummary:
        data = json.loads(text)
        data["sources"] = [SourceSummary(**source) for source in data["sources"]]
        return cls(**data)

    def render(self) -> str:
        """The table printed at the end of a build."""
        lines = [
            f"codetune build of '{self.ecosystem}' ({self.executor}, {self.num_proc} proc) "
            f"in {self.wall_time_s:.1f}s"
        ]
        lines.append("")
        lines.append(f"{'sources':<34}{'commit':<14}{'split':<7}status")
        for source in self.sources:
            status = f"skipped: {source.skipped}" if source.skipped else "built"
            lines.append(f"  {source.name[:31]:<32}{source.commit[:12] or '-':<14}{source.split:<7}{status}")
        lines.append("")
        lines.append(
            f"files: {self.files_seen} seen, {self.files_kept} kept, {self.files_dropped} dropped "
            f"({self.kept_text_bytes / 1e6:.2f} MB kept)"
        )
        for reason, count in sorted(self.dropped.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  dropped {reason:<28}{count:>10}")
        for reason, count in self.parse_skipped.items():
            lines.append(f"  parse skipped {reason:<22}{count:>10}")
        if self.files_with_parse_errors:
            lines.append(f"  files with parse errors (kept) {self.files_with_parse_errors:>8}")
        lines.append("")
        lines.append("segments per language:")
        for language, count in sorted(self.segments_per_language.items()):
            lines.append(f"  {language:<36}{count:>10}")
        lines.append(f"doc sections: {self.doc_sections} ({self.doc_code_examples} code examples)")
        lines.append("")
        lines.append(f"{'config':<10}{'split':<8}{'rows':>10}{'parquet MB':>14}")
        for config, splits in self.rows.items():
            for split, count in sorted(splits.items(), key=lambda item: item[0] != "train"):
                size = self.parquet_bytes.get(config, {}).get(split, 0)
                lines.append(f"{config:<10}{split:<8}{count:>10}{size / 1e6:>14.3f}")
            if not splits:
                lines.append(f"{config:<10}{'-':<8}{0:>10}{0:>14.3f}")
        return "\n".join(lines)
