"""Rust: fns, impl/trait methods, structs, enums, traits, impls, modules; doc comments and attributes."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

SOURCE = dedent(
    """\
    //! Crate docs belong to no item.

    /// A counter.
    ///
    ///     let c = Counter::default();
    #[derive(Default)]
    pub struct Counter {
        value: u64,
    }

    /** Errors it can return. */
    pub enum Error { Overflow }

    #[near_bindgen]
    /// The contract's methods.
    #[near]
    impl<T> Counter<T> {
        /// Adds one.
        pub fn increment(&mut self) {
            fn local() {}
            self.value += 1;
        }
    }

    pub trait Describe {
        fn name(&self) -> String;
        /// Default description.
        fn describe(&self) -> String { self.name() }
    }

    impl std::fmt::Display for crate::Counter {}

    #[cfg(test)]
    mod tests {
        //! Unit tests.

        #[test]
        fn counts() {}
    }

    //// Four slashes: a plain comment.
    fn plain() {}
    """
).encode()


def test_rust_segments_have_kinds_and_impl_or_trait_parents():
    assert names(segment_source("rust", SOURCE)) == [
        ("struct", "", "Counter"),
        ("enum", "", "Error"),
        ("impl", "", "Counter"),
        ("method", "Counter", "increment"),
        ("trait", "", "Describe"),
        ("method", "Describe", "describe"),
        ("impl", "", "Counter"),
        ("module", "", "tests"),
        ("function", "tests", "counts"),
        ("function", "", "plain"),
    ]


def test_rust_outer_doc_lines_become_the_docstring_and_attributes_stay_in_code():
    counter = only(segment_source("rust", SOURCE), "Counter", kind="struct")
    assert counter.docstring == "A counter.\n\n    let c = Counter::default();"
    assert counter.code == "#[derive(Default)]\npub struct Counter {\n    value: u64,\n}"
    assert (counter.start_line, counter.end_line) == (6, 9)


def test_rust_block_doc_comment_is_a_docstring():
    assert only(segment_source("rust", SOURCE), "Error").docstring == "Errors it can return."


def test_rust_doc_between_attributes_is_cut_from_the_impl_code():
    impl = segment_source("rust", SOURCE).segments[2]
    assert (impl.kind, impl.name, impl.docstring) == ("impl", "Counter", "The contract's methods.")
    assert impl.code.startswith("#[near_bindgen]\n#[near]\nimpl<T> Counter<T> {\n    /// Adds one.\n")
    assert (impl.start_line, impl.end_line) == (14, 23)


def test_rust_method_docstring_and_local_fn_is_not_a_segment():
    increment = only(segment_source("rust", SOURCE), "increment")
    assert increment.docstring == "Adds one."
    assert increment.code.startswith("pub fn increment(&mut self) {\n    fn local() {}")
    assert (increment.start_line, increment.end_line) == (19, 22)


def test_rust_trait_signatures_without_body_are_not_segments_but_default_methods_are():
    result = segment_source("rust", SOURCE)
    assert "name" not in [s.name for s in result.segments]
    assert only(result, "describe").docstring == "Default description."


def test_rust_inner_doc_comment_documents_its_module_and_is_cut_from_code():
    tests = only(segment_source("rust", SOURCE), "tests")
    assert tests.docstring == "Unit tests."
    assert tests.code == "#[cfg(test)]\nmod tests {\n    #[test]\n    fn counts() {}\n}"


def test_rust_four_slashes_and_crate_docs_are_not_item_docs():
    result = segment_source("rust", SOURCE)
    assert only(result, "plain").docstring == ""
    assert "Crate" not in "".join(s.docstring for s in result.segments)


def test_rust_syntax_error_marks_the_broken_fn_and_the_file():
    result = segment_source("rust", b"fn ok() {}\nfn broken( { let x = ; }\nfn after() {}\n")
    assert result.has_error
    assert [(s.name, s.has_error) for s in result.segments] == [
        ("ok", False),
        ("broken", True),
        ("after", False),
    ]


def test_rust_attribute_on_the_definitions_own_line_is_code_even_below_a_blank_line():
    source = b"/// Far above.\n\n#[inline] fn same_line() {}\n\n/// Docs.\n#[test] fn documented() {}\n"
    result = segment_source("rust", source)
    assert only(result, "same_line").code == "#[inline] fn same_line() {}"
    assert only(result, "same_line").docstring == ""  # a blank line separates the comment
    assert only(result, "documented").code == "#[test] fn documented() {}"
    assert only(result, "documented").docstring == "Docs."
