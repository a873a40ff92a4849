"""Work files: what one stage hands the next, as Arrow IPC, in batches bounded by text bytes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from datatrove.data import Document

from codetune.build.workfiles import (
    BATCH_MAX_ROWS,
    BATCH_TEXT_BYTES,
    TaskFileWriter,
    WorkDocumentReader,
    WorkDocumentWriter,
    read_work_batches,
    work_file_schema,
)
from codetune.documents import FileMeta, RecordKind, SegmentMeta, make_document

SCHEMA = pa.schema([("id", pa.string()), ("code", pa.string())], metadata={b"huggingface": b"{}"})


def write_rows(folder: Path, rows: list[dict]) -> Path:
    with TaskFileWriter(str(folder), schema=SCHEMA) as writer:
        for row in rows:
            writer.write_row("train/00000.arrow", row, len(row["code"]))
    return folder / "train" / "00000.arrow"


def test_rows_come_back_in_order_with_the_schema_and_its_metadata(tmp_path: Path):
    rows = [{"id": f"r{index}", "code": "x" * index} for index in range(3000)]
    path = write_rows(tmp_path, rows)
    assert [row for batch in read_work_batches(str(path)) for row in batch.to_pylist()] == rows
    assert work_file_schema(str(path)) == SCHEMA
    assert work_file_schema(str(path)).metadata == SCHEMA.metadata


def test_batches_are_bounded_by_rows_and_by_text_bytes(tmp_path: Path):
    many_small = write_rows(tmp_path / "small", [{"id": str(i), "code": "x"} for i in range(2500)])
    assert [batch.num_rows for batch in read_work_batches(str(many_small))] == [BATCH_MAX_ROWS] * 2 + [452]

    big_code = "y" * (BATCH_TEXT_BYTES // 4)
    few_large = write_rows(tmp_path / "large", [{"id": str(i), "code": big_code} for i in range(10)])
    assert [batch.num_rows for batch in read_work_batches(str(few_large))] == [4, 4, 2]


def test_documents_round_trip_through_a_work_folder_with_typed_metadata(tmp_path: Path):
    file_meta = FileMeta(
        repo="org/game",
        commit="a" * 40,
        split="train",
        license="MIT",
        path="scripts/ä b.gd",
        language="gdscript",
        role="code",
        size=12,
        attributes=(("godot_version", "4.2"),),
    )
    segment_meta = SegmentMeta(
        **file_meta.provenance(),
        path=file_meta.path,
        language="gdscript",
        segment_kind="function",
        name="jump",
        parent="Player",
        docstring="Jumps.",
        start_line=3,
        end_line=4,
        has_error=False,
    )
    documents = [
        make_document("func jump():\n\tpass\n", file_meta),
        make_document("func jump():", segment_meta),
    ]
    passed = list(WorkDocumentWriter(str(tmp_path)).run(iter(documents), rank=7))
    assert passed == documents  # the writer passes every document on
    read = list(WorkDocumentReader(str(tmp_path)).run(None, rank=7))
    assert [(document.id, document.text) for document in read] == [(d.id, d.text) for d in documents]
    assert FileMeta.from_document(read[0]) == file_meta
    assert SegmentMeta.from_document(read[1]) == segment_meta
    assert list(WorkDocumentReader(str(tmp_path)).run(None, rank=8)) == []  # a task that wrote nothing


def test_only_the_kinds_asked_for_are_written(tmp_path: Path):
    documents = [
        Document(text="a", id="f", metadata={"kind": "file"}),
        Document(text="b", id="s", metadata={"kind": "segment"}),
    ]
    list(WorkDocumentWriter(str(tmp_path), kinds=(RecordKind.SEGMENT,)).run(iter(documents), rank=0))
    assert [document.id for document in WorkDocumentReader(str(tmp_path)).run(None, rank=0)] == ["s"]
