"""The extract step: files pass through, code files add segments, markdown adds doc sections."""

from codetune.documents import DocSectionMeta, FileMeta, RecordKind, SegmentMeta, make_document, record_kind
from codetune.parse.extract import SegmentExtractor


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
