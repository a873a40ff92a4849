"""Where dedup and decontamination plug into the build's stages, and what they counted.

    collect                 ... → WorkDocumentWriter → file signatures (exact + MinHash)
    file_buckets            MinHash buckets, min(num_buckets, plan tasks) tasks
    file_duplicates         MinHash clusters + keep-the-first resolver, one task
    extract                 reader → drop duplicate files → segments → WorkDocumentWriter(extracted)
                            → test-split n-grams → segment signatures
    segment_buckets, segment_duplicates
    decontamination_index   one task per eval source
    contamination_matches   reader → drop duplicate segments → train rows' indexed n-grams
    contamination           boilerplate rule, rows to drop, one task
    rows                    reader → drop duplicate segments → drop contaminated rows → subset writers

Every stage that a setting turns off is left out; the task count of each is fixed by the plan and the
settings, never by the worker count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from datatrove.pipeline.base import PipelineStep

from codetune.build.plan import BuildPlan
from codetune.build.summary import read_stage_stats
from codetune.build.workfiles import WorkDocumentReader
from codetune.documents import RecordKind
from codetune.hygiene.decontaminate import (
    TEST_SPLIT_SOURCE,
    ContaminatedRowFilter,
    ContaminationMatcher,
    ContaminationResolver,
    EvalNGrams,
    TestSplitNGrams,
)
from codetune.hygiene.dedup import DedupFolders, DuplicateFilter, resolution_pipelines, signature_steps
from codetune.hygiene.eval_sources import ResolvedEvalSource, resolve_eval_sources
from codetune.subsets import SUBSET_SPECS

# (stage name, steps, task count, bytes per task where the ranks are the plan's tasks, else ())
StagePipeline = tuple[str, list[PipelineStep], int, tuple[int, ...]]
FILES = (RecordKind.FILE,)
SEGMENTS = (RecordKind.SEGMENT,)


@dataclass(frozen=True)
class HygieneStages:
    """The dedup and decontamination steps and stages of one build, from its plan and settings."""

    plan: BuildPlan
    work_dir: Path

    @property
    def tasks(self) -> int:
        return len(self.plan.tasks)

    @property
    def task_sizes(self) -> tuple[int, ...]:
        """Bytes each plan task reads: stages over the plan's tasks start the largest first."""
        return tuple(task.size for task in self.plan.tasks)

    @property
    def extracted(self) -> str:
        """The extract stage's documents (files, segments, sections, trees), read by the later stages."""
        return str(self.work_dir / "extracted")

    @cached_property
    def file_dedup(self) -> DedupFolders | None:
        dedup = self.plan.ecosystem.dedup
        return DedupFolders(str(self.work_dir / "dedup" / "files")) if dedup.removes_files else None

    @cached_property
    def segment_dedup(self) -> DedupFolders | None:
        ecosystem = self.plan.ecosystem
        reads_segments = any(
            RecordKind.SEGMENT in SUBSET_SPECS[name].record_kinds for name in ecosystem.subsets
        )
        if not (ecosystem.dedup.removes_files and ecosystem.dedup.segments and reads_segments):
            return None
        return DedupFolders(str(self.work_dir / "dedup" / "segments"))

    @cached_property
    def eval_sources(self) -> tuple[ResolvedEvalSource, ...]:
        return resolve_eval_sources(self.plan.ecosystem.decontamination)

    @cached_property
    def decontaminates(self) -> bool:
        settings = self.plan.ecosystem.decontamination
        has_test_split = any(source.split == "test" for source in self.plan.built_sources)
        return settings.enabled and ((settings.test_split and has_test_split) or bool(self.eval_sources))

    def decontamination_folder(self, name: str) -> str:
        return str(self.work_dir / "decontamination" / name)

    # --- steps inside the build's own stages -----------------------------------------------------------

    def after_collect(self) -> list[PipelineStep]:
        """Appended to collect: the file signatures (the MinHash step consumes its input: it comes last)."""
        if self.file_dedup is None:
            return []
        return signature_steps(self.plan.ecosystem.dedup, self.file_dedup, FILES)

    def extract_filters(self) -> list[PipelineStep]:
        """Between extract's reader and the segment extractor."""
        return [] if self.file_dedup is None else [DuplicateFilter(self.file_dedup, FILES)]

    def after_extract(self) -> list[PipelineStep]:
        """Appended to extract, after its documents are written."""
        ecosystem = self.plan.ecosystem
        steps: list[PipelineStep] = []
        if self.decontaminates and ecosystem.decontamination.test_split:
            steps.append(TestSplitNGrams(self.decontamination_folder("index"), ecosystem.decontamination))
        if self.segment_dedup is not None:
            steps += signature_steps(ecosystem.dedup, self.segment_dedup, SEGMENTS)
        return steps

    def segment_filters(self) -> list[PipelineStep]:
        return [] if self.segment_dedup is None else [DuplicateFilter(self.segment_dedup, SEGMENTS)]

    def row_filters(self) -> list[PipelineStep]:
        """After the rows stage's reader: duplicate segments, then contaminated rows."""
        steps = self.segment_filters()
        if self.decontaminates:
            steps.append(ContaminatedRowFilter(self.decontamination_folder("remove")))
        return steps

    # --- stages of their own ----------------------------------------------------------------------------

    def after_collect_stages(self) -> list[StagePipeline]:
        if self.file_dedup is None:
            return []
        pipelines = resolution_pipelines(self.plan.ecosystem.dedup, self.file_dedup, self.tasks)
        return [(f"file_{name}", steps, tasks, ()) for name, steps, tasks in pipelines]

    def after_extract_stages(self) -> list[StagePipeline]:
        stages: list[StagePipeline] = []
        if self.segment_dedup is not None:
            pipelines = resolution_pipelines(self.plan.ecosystem.dedup, self.segment_dedup, self.tasks)
            stages += [(f"segment_{name}", steps, tasks, ()) for name, steps, tasks in pipelines]
        if self.decontaminates:
            stages += self.decontamination_stages()
        return stages

    def decontamination_stages(self) -> list[StagePipeline]:
        settings = self.plan.ecosystem.decontamination
        index, matches = self.decontamination_folder("index"), self.decontamination_folder("matches")
        stages: list[StagePipeline] = []
        if self.eval_sources:
            stages.append(
                (
                    "decontamination_index",
                    [EvalNGrams(index, self.eval_sources, settings)],
                    len(self.eval_sources),
                    (),
                )
            )
        # The matcher sees what the rows stage's contamination filter will see: the same positions.
        matcher = ContaminationMatcher(index, matches, settings)
        reader = WorkDocumentReader(self.extracted)
        stages.append(
            ("contamination_matches", [reader, *self.segment_filters(), matcher], self.tasks, self.task_sizes)
        )
        resolver = ContaminationResolver(
            matches, self.decontamination_folder("remove"), self.tasks, settings.common_ngram_repos
        )
        stages.append(("contamination", [resolver], 1, ()))
        return stages


@dataclass(frozen=True)
class HygieneCounts:
    """What dedup and decontamination removed, for the summary and the card."""

    dropped_files: dict[str, int]  # exact_duplicate / near_duplicate: file drop reasons like the filters'
    dedup: dict[str, int]
    contaminated: dict[str, int]  # per record kind
    contaminated_by: dict[str, int]  # per source label


def hygiene_counts(plan: BuildPlan, logs: Path) -> HygieneCounts:
    """Read from the stats of the hygiene stages (they survive a resume, like every stage's)."""
    files = read_stage_stats(logs / "file_duplicates")
    segments = read_stage_stats(logs / "segment_duplicates")
    contamination = read_stage_stats(logs / "contamination")
    dropped_files = {
        reason: files[f"dropped_{reason}"]
        for reason in ("exact_duplicate", "near_duplicate")
        if files[f"dropped_{reason}"]
    }
    dedup = {}
    if (logs / "file_duplicates").exists():
        dedup |= {
            "exact_duplicate_files": files["dropped_exact_duplicate"],
            "near_duplicate_files": files["dropped_near_duplicate"],
            "near_duplicate_file_clusters": files["near_duplicate_clusters"],
        }
    if (logs / "segment_duplicates").exists():
        dedup |= {
            "exact_duplicate_segments": segments["dropped_exact_duplicate"],
            "near_duplicate_segments": segments["dropped_near_duplicate"],
            "near_duplicate_segment_clusters": segments["near_duplicate_clusters"],
        }
    labels = ["test split", *(source.label for source in plan.ecosystem.decontamination.eval_sources)]
    contaminated = {
        kind.value: contamination[f"contaminated_{kind.value}"]
        for kind in RecordKind
        if contamination[f"contaminated_{kind.value}"]
    }
    contaminated_by = {
        label: contamination[f"contaminated_by_{source}"]
        for source, label in enumerate(labels, start=TEST_SPLIT_SOURCE)
        if contamination[f"contaminated_by_{source}"]
    }
    return HygieneCounts(dropped_files, dedup, contaminated, contaminated_by)
