"""Typed metadata survives the trip through a datatrove Document and JSON."""

import json

from datatrove.data import Document

from codetune.documents import CodeExample, DocSectionMeta, FileMeta, SegmentMeta, make_document


def test_ids_are_stable_and_meaningful():
    meta = FileMeta(
        repo="org/app",
        commit="0123456789abcdef" * 2 + "01234567",
        split="train",
        license="MIT",
        path="src/a.rs",
        language="rust",
        role="code",
        size=3,
    )
    assert meta.id == "org/app@0123456789ab:src/a.rs"
    segment = SegmentMeta(
        repo="r",
        commit="",
        split="test",
        license="unknown",
        path="a.py",
        language="python",
        segment_kind="function",
        name="f",
        parent="",
        docstring="",
        start_line=3,
        end_line=9,
        has_error=False,
    )
    assert segment.id == "r@worktree:a.py#L3-L9"


def test_doc_section_metadata_round_trips_through_json():
    meta = DocSectionMeta(
        repo="docs",
        commit="abc",
        split="train",
        license="unknown",
        path="guide.md",
        title="Signals",
        level=2,
        heading_path=("Guide", "Signals"),
        start_line=4,
        end_line=20,
        code_examples=(CodeExample("gdscript", "signal hit", "Declare a signal:", 8),),
    )
    document = make_document("## Signals\n", meta)
    restored = Document(
        text=document.text, id=document.id, metadata=json.loads(json.dumps(document.metadata))
    )
    assert DocSectionMeta.from_document(restored) == meta
