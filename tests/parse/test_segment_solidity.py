"""Solidity: contracts, libraries, interfaces and their members; NatSpec docs."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

SOURCE = dedent(
    """\
    // SPDX-License-Identifier: MIT
    pragma solidity ^0.8.20;

    /// @title A token
    /// @notice Tracks balances.
    contract Token is ERC20 {
        /** @notice Emitted on transfer. */
        event Moved(address indexed to, uint256 amount);
        error Insufficient(uint256 needed);
        struct Account { uint256 balance; }
        enum State { Open, Closed }

        modifier onlyOwner() { _; }

        constructor() {}

        /**
         * @notice Sends tokens.
         * @param to The receiver.
         */
        function send(address to) external onlyOwner returns (bool) {
            return true;
        }

        receive() external payable {}
    }

    interface IToken { function send(address to) external returns (bool); }

    library Math { function max(uint a, uint b) internal pure returns (uint) { return a; } }
    """
).encode()


def test_solidity_segments_have_kinds_and_contract_parents():
    assert names(segment_source("solidity", SOURCE)) == [
        ("contract", "", "Token"),
        ("event", "Token", "Moved"),
        ("error", "Token", "Insufficient"),
        ("struct", "Token", "Account"),
        ("enum", "Token", "State"),
        ("modifier", "Token", "onlyOwner"),
        ("function", "Token", "constructor"),
        ("function", "Token", "send"),
        ("function", "Token", "receive"),
        ("interface", "", "IToken"),
        ("function", "IToken", "send"),
        ("contract", "", "Math"),
        ("function", "Math", "max"),
    ]


def test_solidity_natspec_line_comments_document_the_contract_and_license_line_does_not():
    token = only(segment_source("solidity", SOURCE), "Token")
    assert token.docstring == "@title A token\n@notice Tracks balances."
    assert token.code.startswith("contract Token is ERC20 {\n")
    assert (token.start_line, token.end_line) == (6, 26)


def test_solidity_natspec_block_comment_documents_a_function():
    send = next(
        s for s in segment_source("solidity", SOURCE).segments if s.parent == "Token" and s.name == "send"
    )
    assert send.docstring == "@notice Sends tokens.\n@param to The receiver."
    assert send.code == ("function send(address to) external onlyOwner returns (bool) {\n    return true;\n}")
    assert (send.start_line, send.end_line) == (21, 23)


def test_solidity_event_doc():
    assert only(segment_source("solidity", SOURCE), "Moved").docstring == "@notice Emitted on transfer."


def test_solidity_syntax_error_marks_the_broken_function_and_the_file():
    source = b"contract C {\n function ok() public {}\n function broken() public { uint x = ; }\n}\n"
    result = segment_source("solidity", source)
    assert result.has_error
    assert not only(result, "ok").has_error
    assert only(result, "broken").has_error
