"""IsolatedSegmenter: results equal in-process parsing; crashes and hangs cost one file, not the build."""

from __future__ import annotations

import fcntl
import time

import pytest

from codetune.parse.errors import SegmenterOptionError, UnsupportedLanguageError, WorkerStartError
from codetune.parse.isolation import (
    PIPE_BUFFER_BYTES,
    IsolatedSegmenter,
    ParseFailure,
    close_shared_segmenters,
    shared_segmenter,
)
from codetune.parse.segment import segment_source

FAULTY = "tests.parse.faulty_targets:faulty_segment_source"
PID = "tests.parse.faulty_targets:worker_pid"
PYTHON = b'class A:\n    """Doc."""\n\n    def f(self):\n        return 1\n'


def test_isolated_result_equals_in_process_segment_source():
    with IsolatedSegmenter() as segmenter:
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)
        assert segmenter.segment("rust", b"fn main() {}\n") == segment_source("rust", b"fn main() {}\n")


def test_abort_is_a_parser_crash_and_the_next_file_is_parsed_by_a_fresh_worker():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)
        crash = segmenter.segment("python", b"#abort")
        assert isinstance(crash, ParseFailure) and crash.reason == "parser_crash"
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)


def test_exit_mid_file_is_a_parser_crash():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        assert segmenter.segment("python", b"#exit") == ParseFailure(
            "parser_crash", "worker exited with status 3"
        )


def test_hang_is_a_parser_timeout_after_timeout_s_and_the_next_file_works():
    with IsolatedSegmenter(timeout_s=1.5, target=FAULTY) as segmenter:
        started = time.monotonic()
        hang = segmenter.segment("python", b"#hang")
        waited = time.monotonic() - started
        assert isinstance(hang, ParseFailure) and hang.reason == "parser_timeout"
        assert 1.5 <= waited < 10
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)


def test_tree_sitter_timeout_in_the_child_is_a_parser_timeout_without_a_restart():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        failure = segmenter.segment("python", b"#slow-parse\nx = 1\n")
        assert isinstance(failure, ParseFailure) and failure.reason == "parser_timeout"
        assert "µs" in failure.detail


def test_unexpected_exception_is_a_parser_error_with_its_message():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        assert segmenter.segment("python", b"#bug") == ParseFailure(
            "parser_error", "KeyError: 'unexpected node'"
        )
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)


def test_codetune_errors_from_the_child_are_raised_in_the_caller():
    with IsolatedSegmenter() as segmenter:
        with pytest.raises(UnsupportedLanguageError, match="no segment rules for language 'yaml'"):
            segmenter.segment("yaml", b"a: 1\n")
        assert segmenter.segment("python", PYTHON) == segment_source("python", PYTHON)


def test_stray_prints_in_the_child_do_not_break_the_protocol():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        result = segmenter.segment("python", b"#print\ndef f(): pass\n")
        assert [s.name for s in result.segments] == ["f"]


def test_a_batch_gets_each_files_result_in_order_from_one_worker():
    files = [("python", PYTHON), ("rust", b"fn main() {}\n"), ("python", b"def g():\n    pass\n")] * 20
    with IsolatedSegmenter() as segmenter:
        assert segmenter.segment_many(files) == [
            segment_source(language, source) for language, source in files
        ]
    with IsolatedSegmenter(target=PID) as segmenter:
        assert len(set(segmenter.segment_many(files))) == 1  # no file needed a second interpreter


def test_a_crash_inside_a_batch_costs_that_file_and_the_files_after_it_go_to_a_fresh_worker():
    files = [
        ("python", PYTHON),
        ("python", b"#abort"),
        ("python", PYTHON),
        ("python", b"#exit"),
        ("rust", b""),
    ]
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        results = segmenter.segment_many(files)
    assert [getattr(result, "reason", "ok") for result in results] == [
        "ok",
        "parser_crash",
        "ok",
        "parser_crash",
        "ok",
    ]
    assert results[2] == segment_source("python", PYTHON)
    assert results[3] == ParseFailure("parser_crash", "worker exited with status 3")


def test_a_hang_inside_a_batch_is_a_timeout_of_that_file_only():
    with IsolatedSegmenter(timeout_s=1.5, target=FAULTY) as segmenter:
        results = segmenter.segment_many([("python", PYTHON), ("python", b"#hang"), ("python", PYTHON)])
    assert results[1] == ParseFailure("parser_timeout", "no reply within 1.5 s")
    assert results[0] == results[2] == segment_source("python", PYTHON)


@pytest.mark.timeout(120)
def test_a_batch_larger_than_the_pipe_goes_out_in_pipefuls_without_deadlock():
    """The child writes replies while requests wait in the other pipe: a batch written whole beyond the
    pipe's capacity would leave both processes waiting on each other."""
    source = b"def f():\n    return 1\n" * 10_000  # 230 KB a file, 30 files: several pipefuls
    with IsolatedSegmenter(timeout_s=30) as segmenter:
        results = segmenter.segment_many([("python", source)] * 30)
    assert results == [segment_source("python", source)] * 30


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are a Linux feature")
def test_worker_pipes_hold_a_mebibyte():
    with IsolatedSegmenter(target=PID) as segmenter:
        pid = segmenter.segment("python", b"")
        process = segmenter._process
        assert process is not None and process.pid == pid
        for stream in (process.stdin, process.stdout):
            assert fcntl.fcntl(stream.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BUFFER_BYTES


def test_worker_is_reused_and_recycled_after_max_files():
    with IsolatedSegmenter(max_files_per_worker=3, target=PID) as segmenter:
        pids = [segmenter.segment("python", b"") for _ in range(7)]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4] == pids[5] != pids[6]


def test_close_ends_the_worker_and_a_later_call_starts_a_new_one():
    segmenter = IsolatedSegmenter(target=PID)
    first = segmenter.segment("python", b"")
    segmenter.close()
    segmenter.close()
    assert segmenter.segment("python", b"") != first
    segmenter.close()


def test_shared_worker_serves_every_task_of_a_process_until_closed():
    first_task = shared_segmenter(target=PID)
    pid = first_task.segment("python", b"")
    later_task = shared_segmenter(target=PID)
    assert later_task is first_task and later_task.segment("python", b"") == pid  # no new interpreter
    assert shared_segmenter(timeout_s=5.0, target=PID) is not first_task  # other settings, other worker
    close_shared_segmenters()
    assert shared_segmenter(target=PID).segment("python", b"") != pid
    close_shared_segmenters()


def test_a_forked_process_starts_its_own_shared_worker_and_leaves_the_parents_alone():
    """Local build workers fork from the build process (Linux default): one that used the parent's parse
    worker would interleave its requests with the parent's and keep the parent's pipe open."""
    import os

    parent = shared_segmenter(target=PID)
    parent_pid = parent.segment("python", b"")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the fork; reports through the pipe
        try:
            mine = shared_segmenter(target=PID)
            answer = f"{mine is not parent} {mine.segment('python', b'')}"
        except BaseException as error:
            answer = repr(error)
        os.write(write_end, answer.encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    fresh, child_worker = os.read(read_end, 1000).decode().split()
    os.close(read_end)
    assert fresh == "True" and int(child_worker) != parent_pid
    assert shared_segmenter(target=PID) is parent and parent.segment("python", b"") == parent_pid
    process = parent._process
    close_shared_segmenters()
    assert process is not None and process.returncode == 0  # saw its input close: nobody else held it


def test_idle_worker_exits_and_the_next_file_starts_a_fresh_one():
    with IsolatedSegmenter(target=PID, idle_exit_s=0.2) as segmenter:
        first = segmenter.segment("python", b"")
        time.sleep(1.0)  # the worker leaves after 0.2 s without a file
        assert segmenter.segment("python", b"") not in (first, None)


def test_file_sent_as_the_worker_leaves_idle_is_sent_again_not_counted_as_a_crash(tmp_path):
    source = f"#idle-exit-once {tmp_path / 'left'}\ndef f():\n    return 1\n".encode()
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        result = segmenter.segment("python", source)
    assert not isinstance(result, ParseFailure) and [s.name for s in result.segments] == ["f"]


def test_a_worker_that_keeps_leaving_is_a_crash_after_one_resend():
    with IsolatedSegmenter(target=FAULTY) as segmenter:
        result = segmenter.segment("python", b"#idle-exit-always")
    assert isinstance(result, ParseFailure) and result.reason == "parser_crash"
    assert "status 75" in result.detail


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout_s": 0}, "timeout_s must be positive"),
        ({"max_files_per_worker": 0}, "max_files_per_worker must be at least 1"),
        ({"idle_exit_s": 0}, "idle_exit_s must be positive"),
        ({"target": "segment_source"}, "package.module:function"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(SegmenterOptionError, match=message):
        IsolatedSegmenter(**options)


def test_target_that_cannot_be_imported_is_a_start_error_not_a_crash_per_file():
    segmenter = IsolatedSegmenter(target="tests.parse.no_such_module:segment")
    with pytest.raises(WorkerStartError, match="no_such_module"):
        segmenter.segment("python", PYTHON)
