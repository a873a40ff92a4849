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


def with_prefix(stats: Counter[str], prefix: str) -> dict[str, int]:
    """The counters whose label starts with `prefix`, by the rest of the label, sorted."""
    return dict(
        sorted((label[len(prefix) :], count) for label, count in stats.items() if label.startswith(prefix))
    )


TRAINING_SUBSET_PREFIXES = ("fim_", "instruct_", "dpo_")


def training_subset_stats(stats: Counter[str]) -> dict[str, int]:
    """Rows made and inputs skipped (with their reason) by the fim, instruct and dpo subsets."""
    return {
        label: count
        for label, count in sorted(stats.items())
        if label.startswith(TRAINING_SUBSET_PREFIXES) and not label.startswith("dpo_rule_matched_")
    }


def unmatched_deprecated_apis(deprecated_apis: tuple, stats: Counter[str]) -> list[str]:
    """The `deprecated_apis` entries that rewrote no code in this build: reported, not an error."""
    return [
        f"{api.current}" + (f" ({api.description})" if api.description else "")
        for index, api in enumerate(deprecated_apis)
        if not stats.get(f"dpo_rule_matched_{index}")
    ]


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
    license: str = ""  # SPDX expression detected at plan time, or "unknown"


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
    redacted: dict[str, int] = field(default_factory=dict)  # secrets and PII replaced, per type
    subset_stats: dict[str, int] = field(default_factory=dict)  # fim_/instruct_/dpo_ rows and skips
    unmatched_deprecated_apis: list[str] = field(default_factory=list)  # rules that rewrote no code
    dedup: dict[str, int] = field(default_factory=dict)  # exact/near duplicates and MinHash clusters
    contaminated: dict[str, int] = field(default_factory=dict)  # train rows dropped, per record kind
    contaminated_by: dict[str, int] = field(default_factory=dict)  # ... per source (test split, eval file)

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
        lines.append(f"{'sources':<34}{'commit':<14}{'split':<7}{'license':<22}status")
        for source in self.sources:
            status = f"skipped: {source.skipped}" if source.skipped else "built"
            lines.append(
                f"  {source.name[:31]:<32}{source.commit[:12] or '-':<14}{source.split:<7}"
                f"{source.license[:21] or '-':<22}{status}"
            )
        excluded = [source for source in self.sources if source.skipped.startswith("license_not_allowed")]
        if excluded:
            lines.append(f"  {len(excluded)} excluded by license (Source.allow_license keeps one)")
        lines.append("")
        lines.append(
            f"files: {self.files_seen} seen, {self.files_kept} kept, {self.files_dropped} dropped "
            f"({self.kept_text_bytes / 1e6:.2f} MB kept)"
        )
        for reason, count in sorted(self.dropped.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  dropped {reason:<28}{count:>10}")
        if self.redacted:
            replaced = ", ".join(f"{count} {kind}" for kind, count in sorted(self.redacted.items()))
            lines.append(f"redacted: {replaced}")
        for reason, count in self.parse_skipped.items():
            lines.append(f"  parse skipped {reason:<22}{count:>10}")
        levels = [level for level in ("files", "segments") if f"exact_duplicate_{level}" in self.dedup]
        if levels:
            lines.append(
                "dedup: "
                + "; ".join(
                    f"{level} {self.dedup[f'exact_duplicate_{level}']} exact + "
                    f"{self.dedup[f'near_duplicate_{level}']} near duplicates removed "
                    f"({self.dedup[f'near_duplicate_{level[:-1]}_clusters']} MinHash clusters)"
                    for level in levels
                )
            )
        if self.contaminated_by:
            dropped = ", ".join(f"{count} {kind}" for kind, count in self.contaminated.items())
            sources = ", ".join(f"{count} {label}" for label, count in self.contaminated_by.items())
            lines.append(f"decontamination: dropped {dropped} train rows (shared n-grams with: {sources})")
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
        if self.subset_stats:
            lines.append("")
            lines.append("training subsets:")
            for label, count in self.subset_stats.items():
                lines.append(f"  {label:<36}{count:>10}")
        if self.unmatched_deprecated_apis:
            lines.append("deprecated-API rules that matched no code (check the patterns):")
            lines.extend(f"  {rule}" for rule in self.unmatched_deprecated_apis)
        return "\n".join(lines)
