"""The extract stage's step: each file document → itself (for `clm`) plus its segments and doc sections.

The corpus is parsed once per build, here; every subset takes its rows from what this step yields. Parsing
runs in an isolated child process, so a file that hangs or crashes tree-sitter is skipped and counted
(`parse_skipped_<reason>`) while its text still goes to `clm`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from codetune.documents import (
    CodeExample,
    DocSectionMeta,
    FileMeta,
    RecordKind,
    SegmentMeta,
    make_document,
    record_kind,
)
from codetune.parse.isolation import IsolatedSegmenter, ParseFailure, shared_segmenter
from codetune.parse.languages import LANGUAGES
from codetune.parse.markdown import MarkdownSection
from codetune.parse.segment import ParseResult

# What the parse worker runs on each file (segments, or markdown sections); tests inject faulty stand-ins.
PARSE_TARGET = "codetune.parse.source_file:parse_file"
# Text of the documents held back while their files are parsed in one batch: bounds this step's memory.
PENDING_TEXT_BYTES = 2**20


class SegmentExtractor(PipelineStep):
    """Yields every document it gets, and after each file its segments (code) or sections (markdown)."""

    type = "🌳 - PARSER"
    name = "🌳 tree-sitter segments"

    def __init__(
        self,
        parse_timeout_s: float = 30.0,
        segmenter_target: str | None = None,
        wants_holes: Callable[[Document], bool] | None = None,
    ):
        super().__init__()
        self.parse_timeout_s = parse_timeout_s
        self.segmenter_target = segmenter_target  # "module:function" override, for fault-injection tests
        # Files whose fill-in-the-middle holes a later subset will need (`fim.cuts_by_syntax`): found in
        # this parse and kept in `FileMeta.fim_holes`, instead of parsing those files a second time.
        self.wants_holes = wants_holes if segmenter_target is None else None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        segmenter = shared_segmenter(self.parse_timeout_s, self.segmenter_target or PARSE_TARGET)
        pending: list[Document] = []
        pending_bytes = 0
        for document in data:
            pending.append(document)
            pending_bytes += len(document.text)
            if pending_bytes >= PENDING_TEXT_BYTES:
                yield from self.extract(segmenter, pending)
                pending, pending_bytes = [], 0
        yield from self.extract(segmenter, pending)

    def extract(self, segmenter: IsolatedSegmenter, documents: list[Document]) -> Iterator[Document]:
        """Each document in order, each file followed by its segments or sections; the files among them
        with a grammar are parsed together (`IsolatedSegmenter.segment_many`)."""
        files = [
            (document, FileMeta.from_document(document))
            for document in documents
            if record_kind(document) is RecordKind.FILE
        ]
        parsable = [(document, meta) for document, meta in files if LANGUAGES[meta.language].grammar]
        with self.track_time():
            results = segmenter.segment_many([self._job(document, meta) for document, meta in parsable])
        parsed = {id(document): result for (document, _), result in zip(parsable, results, strict=True)}
        metas = {id(document): meta for document, meta in files}
        for document in documents:
            meta = metas.get(id(document))
            if meta is None:
                yield document
                continue
            result = parsed.get(id(document))
            if isinstance(result, ParseResult) and result.holes is not None:
                document.metadata = meta.with_changes(fim_holes=result.holes).to_metadata()
            yield document
            self.stat_update("files_kept")
            self.stat_update("kept_bytes", value=meta.size)
            if isinstance(result, ParseFailure):
                self.stat_update(f"parse_skipped_{result.reason}")
            elif meta.language == "markdown":
                yield from self.doc_sections(result, meta)
            elif result is not None:
                yield from self.segments(result, meta)

    def _job(self, document: Document, meta: FileMeta) -> tuple:
        """What the parse worker gets for a file: (language, source), and a request for its holes."""
        source = document.text.encode("utf-8")
        if self.wants_holes is not None and meta.language != "markdown" and self.wants_holes(document):
            return (meta.language, source, True)
        return (meta.language, source)

    def segments(self, result: ParseResult, meta: FileMeta) -> Iterator[Document]:
        self.stat_update("files_parsed")
        if result.has_error:
            self.stat_update("files_with_parse_errors")
        if result.segments:
            self.stat_update(f"segments_{meta.language}", value=len(result.segments))
        provenance = meta.provenance()
        for segment in result.segments:
            yield make_document(
                segment.code,
                SegmentMeta(
                    **provenance,
                    path=meta.path,
                    language=meta.language,
                    segment_kind=segment.kind,
                    name=segment.name,
                    parent=segment.parent,
                    docstring=segment.docstring,
                    start_line=segment.start_line,
                    end_line=segment.end_line,
                    has_error=segment.has_error,
                ),
            )

    def doc_sections(self, sections: tuple[MarkdownSection, ...], meta: FileMeta) -> Iterator[Document]:
        self.stat_update("doc_sections", value=len(sections))
        self.stat_update("doc_code_examples", value=sum(len(section.code_blocks) for section in sections))
        provenance = meta.provenance()
        for section in sections:
            yield make_document(
                section.text,
                DocSectionMeta(
                    **provenance,
                    path=meta.path,
                    title=section.title,
                    level=section.level,
                    heading_path=section.heading_path,
                    start_line=section.start_line,
                    end_line=section.end_line,
                    code_examples=tuple(
                        CodeExample(block.language, block.code, block.prose, block.start_line)
                        for block in section.code_blocks
                    ),
                ),
            )
