"""The extract step: files pass through, code files add segments, markdown adds doc sections."""

from codetune.documents import DocSectionMeta, FileMeta, RecordKind, SegmentMeta, make_document, record_kind
from codetune.parse.extract import PENDING_TEXT_BYTES, SegmentExtractor

FAULTY = "tests.parse.faulty_targets:faulty_segment_source"


def file_document(path: str, language: str, text: str):
    meta = FileMeta(
        repo="r",
        commit="a" * 40,
        split="train",
        license="MIT",
        path=path,
        language=language,
        role="code",
        size=len(text),
    )
    return make_document(text, meta)


def test_extractor_yields_files_then_their_segments_and_doc_sections():
    documents = [
        file_document("a.py", "python", 'def add(a, b):\n    """Add two numbers."""\n    return a + b\n'),
        file_document("Cargo.toml", "toml", '[package]\nname = "x"\n'),
        file_document("guide.md", "markdown", "# Guide\n\nInstall it:\n\n```bash\npip install x\n```\n"),
    ]
    step = SegmentExtractor(parse_timeout_s=10)
    out = list(step.run(iter(documents)))
    kinds = [(record_kind(doc), doc.metadata.get("path")) for doc in out]
    assert kinds == [
        (RecordKind.FILE, "a.py"),
        (RecordKind.SEGMENT, "a.py"),
        (RecordKind.FILE, "Cargo.toml"),  # no grammar: still a file for clm, no segments
        (RecordKind.FILE, "guide.md"),
        (RecordKind.DOC_SECTION, "guide.md"),
    ]
    segment = SegmentMeta.from_document(out[1])
    assert (segment.name, segment.docstring, segment.license) == ("add", "Add two numbers.", "MIT")
    assert '"""' not in out[1].text
    section = DocSectionMeta.from_document(out[4])
    assert section.title == "Guide"
    assert [(e.language, e.code.strip(), e.prose) for e in section.code_examples] == [
        ("bash", "pip install x", "Install it:")
    ]
    assert step.stats["files_kept"].total == 3
    assert step.stats["segments_python"].total == 1


def test_files_parsed_in_batches_keep_their_order_and_a_crash_costs_one_file():
    """Code files are parsed a pipeful at a time; the output is still each file followed by its segments."""
    body = "def f():\n    return 1\n" * 2000  # 44 KB: PENDING_TEXT_BYTES holds about two dozen
    documents = [
        file_document(
            f"m{index:02d}.py", "python", "#abort\n" if index == 30 else f"{body}def g{index}(): pass\n"
        )
        for index in range(60)
    ]
    documents.insert(7, file_document("notes.md", "markdown", "# Notes\n\ntext\n"))
    assert sum(len(document.text) for document in documents) > 2 * PENDING_TEXT_BYTES
    step = SegmentExtractor(parse_timeout_s=10, segmenter_target=FAULTY)
    out = list(step.run(iter(documents)))

    files = [doc for doc in out if record_kind(doc) is RecordKind.FILE]
    assert files == documents  # every file, in order, the crashed one too (its text still goes to clm)
    owner = None
    for doc in out:
        if record_kind(doc) is RecordKind.FILE:
            owner = doc.metadata["path"]
        else:
            assert doc.metadata["path"] == owner  # a file's segments follow it directly
    names = [SegmentMeta.from_document(doc).name for doc in out if record_kind(doc) is RecordKind.SEGMENT]
    assert names == [name for index in range(60) if index != 30 for name in ("f",) * 2000 + (f"g{index}",)]
    assert step.stats["parse_skipped_parser_crash"].total == 1
    assert step.stats["files_parsed"].total == 59


def test_a_markdown_file_that_crashes_the_parser_is_skipped_and_counted_like_code():
    documents = [
        file_document("crash.md", "markdown", "#abort\n\n# Title\n\ntext\n"),
        file_document("fine.md", "markdown", "# Fine\n\nMore text.\n"),
    ]
    step = SegmentExtractor(parse_timeout_s=10, segmenter_target=FAULTY)
    out = list(step.run(iter(documents)))
    assert [(record_kind(doc), doc.metadata["path"]) for doc in out] == [
        (RecordKind.FILE, "crash.md"),  # its text still goes to clm
        (RecordKind.FILE, "fine.md"),
        (RecordKind.DOC_SECTION, "fine.md"),
    ]
    assert step.stats["parse_skipped_parser_crash"].total == 1
