"""GDScript: script functions under class_name, inner classes and their methods, signals, ## docs."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

SOURCE = dedent(
    """\
    extends CharacterBody2D
    class_name Player

    ## Emitted when the player is hit.
    signal hit(damage: int)

    ## Moves the player.
    ## Uses [member speed].
    func move(delta: float) -> void:
    \tvar step = func(): return delta
    \tposition.x += step.call()

    # Plain comments document too.
    @rpc("any_peer")
    static func sync():
    \tpass

    class Inventory extends RefCounted:
    \t## Emitted when full.
    \tsignal full

    \tfunc add(item):
    \t\tpass
    """
).encode()


def test_gdscript_segments_belong_to_class_name_and_inner_classes():
    assert names(segment_source("gdscript", SOURCE)) == [
        ("signal", "Player", "hit"),
        ("function", "Player", "move"),
        ("function", "Player", "sync"),
        ("class", "Player", "Inventory"),
        ("signal", "Inventory", "full"),
        ("method", "Inventory", "add"),
    ]


def test_gdscript_double_hash_doc_comment_is_the_docstring():
    move = only(segment_source("gdscript", SOURCE), "move")
    assert move.docstring == "Moves the player.\nUses [member speed]."
    assert (
        move.code
        == "func move(delta: float) -> void:\n\tvar step = func(): return delta\n\tposition.x += step.call()"
    )
    assert (move.start_line, move.end_line) == (9, 11)


def test_gdscript_plain_comment_above_annotation_is_the_doc_and_annotation_is_code():
    sync = only(segment_source("gdscript", SOURCE), "sync")
    assert sync.docstring == "Plain comments document too."
    assert sync.code == '@rpc("any_peer")\nstatic func sync():\n\tpass'
    assert (sync.start_line, sync.end_line) == (14, 16)


def test_gdscript_signal_docs_and_inner_class_method_lines():
    result = segment_source("gdscript", SOURCE)
    assert only(result, "hit").docstring == "Emitted when the player is hit."
    assert only(result, "full").docstring == "Emitted when full."
    add = only(result, "add")
    assert add.code == "func add(item):\n\tpass"
    assert (add.start_line, add.end_line) == (22, 23)


def test_gdscript_without_class_name_has_top_level_parent_empty():
    result = segment_source("gdscript", b"extends Node\n\nfunc _ready():\n\tpass\n")
    assert names(result) == [("function", "", "_ready")]


def test_gdscript_syntax_error_marks_the_broken_function_and_the_file():
    source = b"func ok():\n\tpass\n\nfunc broken():\n\tvar x = (\n\nfunc after():\n\tpass\n"
    result = segment_source("gdscript", source)
    assert result.has_error
    assert not only(result, "ok").has_error
    assert only(result, "broken").has_error
