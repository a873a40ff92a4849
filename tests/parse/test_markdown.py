"""Markdown sections: ATX and setext headings, heading paths, fenced code blocks and their prose."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.markdown import CodeBlock, split_markdown

DOCUMENT = dedent(
    """\
    ---
    title: Guide
    ---
    Intro before any heading.

    # Install #

    Run the installer.
    It needs Python.

    ```Python title="setup"
    pip install codetune
    ```
    ~~~
    codetune --help
    ~~~

    Usage
    -----

    ```sh
    codetune build
    ```

    ### Options

    #### Output

    Set the folder:

    - one step
      ```toml
      out = "dist"
      ```

    > # Quoted heading is not a section

    Reference
    =========
    See the API.
    """
)


def test_sections_follow_headings_with_levels_and_nested_paths():
    sections = split_markdown(DOCUMENT)
    assert [(s.level, s.title, s.heading_path) for s in sections] == [
        (0, "", ()),
        (1, "Install", ("Install",)),
        (2, "Usage", ("Install", "Usage")),
        (3, "Options", ("Install", "Usage", "Options")),
        (4, "Output", ("Install", "Usage", "Options", "Output")),
        (1, "Reference", ("Reference",)),
    ]


def test_preamble_skips_front_matter():
    preamble = split_markdown(DOCUMENT)[0]
    assert preamble.text == "Intro before any heading."
    assert (preamble.start_line, preamble.end_line) == (4, 4)


def test_section_text_runs_from_its_heading_to_the_next_without_trailing_blank_lines():
    install = split_markdown(DOCUMENT)[1]
    assert install.text.startswith("# Install #\n\nRun the installer.\n")
    assert install.text.endswith("~~~\ncodetune --help\n~~~")
    assert (install.start_line, install.end_line) == (6, 16)


def test_fenced_blocks_keep_language_and_the_prose_right_before_them():
    install = split_markdown(DOCUMENT)[1]
    assert install.code_blocks == (
        CodeBlock("python", "pip install codetune\n", "Run the installer.\nIt needs Python.", 11),
        CodeBlock("", "codetune --help\n", "", 14),
    )


def test_block_right_after_a_setext_heading_has_no_prose():
    usage = split_markdown(DOCUMENT)[2]
    assert usage.text.startswith("Usage\n-----\n")
    assert usage.code_blocks == (CodeBlock("sh", "codetune build\n", "", 21),)


def test_section_with_only_a_heading_has_no_blocks():
    options = split_markdown(DOCUMENT)[3]
    assert options.text == "### Options"
    assert options.code_blocks == ()


def test_block_inside_a_list_item_loses_the_list_indentation_and_takes_the_item_text_as_prose():
    output = split_markdown(DOCUMENT)[4]
    assert output.code_blocks == (CodeBlock("toml", 'out = "dist"\n', "one step", 32),)
    assert "Quoted heading" in output.text


def test_setext_level_one_heading_and_its_body():
    reference = split_markdown(DOCUMENT)[5]
    assert reference.text == "Reference\n=========\nSee the API."
    assert (reference.start_line, reference.end_line) == (38, 40)


def test_empty_preamble_is_skipped():
    sections = split_markdown("\n\n# Only\ntext\n")
    assert [(s.title, s.start_line) for s in sections] == [("Only", 3)]


def test_document_without_headings_is_one_preamble_section():
    sections = split_markdown("Just text.\n\n```rust,ignore\nfn main() {}\n```\n")
    assert [(s.level, s.title, s.heading_path) for s in sections] == [(0, "", ())]
    assert sections[0].code_blocks == (CodeBlock("rust", "fn main() {}\n", "Just text.", 3),)


def test_hash_inside_a_title_is_kept_and_closing_hashes_are_dropped():
    sections = split_markdown("## Using C# ##\n\n# Plain #tag\n")
    assert [s.title for s in sections] == ["Using C#", "Plain #tag"]


def test_empty_document_has_no_sections():
    assert split_markdown("") == []
