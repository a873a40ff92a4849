"""The MinHash signature engines: rensa in batches dedups as datatrove does one document at a time."""

from __future__ import annotations

import os
import random
import signal
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from codetune.definitions.hygiene_settings import DedupSettings
from codetune.errors import EcosystemConfigError
from codetune.hygiene.code_tokens import CodeWordTokenizer, ngram_hash_rows, ngram_hashes
from codetune.hygiene.dedup import DedupFolders, minhash_config, signature_steps
from codetune.hygiene.signatures import RensaMinhashSignature, lexicographic_order
from tests.hygiene.synthetic_code import unique_module
from tests.hygiene.test_dedup import FILES, file_doc, run_dedup

ENGINES = ("rensa", "datatrove")


def test_ngram_hashes_of_a_batch_equal_those_of_each_document():
    rng = random.Random(0)
    token_lists = [[rng.choice("abcdef") for _ in range(rng.randrange(0, 14))] for _ in range(400)]
    flat, offsets = ngram_hash_rows(token_lists, 5)
    assert offsets[-1] == len(flat)
    for index, tokens in enumerate(token_lists):  # no window straddles two documents, none is lost
        assert np.array_equal(flat[offsets[index] : offsets[index + 1]], ngram_hashes(tokens, 5))


def test_ascii_text_tokenizes_as_the_unicode_pattern_does_control_characters_included():
    tokenizer, rng = CodeWordTokenizer(), random.Random(1)
    for _ in range(3000):
        text = "".join(chr(rng.randrange(0, 128)) for _ in range(rng.randrange(0, 40)))
        assert tokenizer.word_tokenize(text) == tokenizer._pattern.findall(text), repr(text)
    assert tokenizer.word_tokenize("a\x1cb += c\x1f") == ["a", "b", "+=", "c"]  # str.isspace() separators
    assert tokenizer.word_tokenize("naïve→x") == ["naïve", "→", "x"]  # non-ASCII keeps the Unicode pattern


def test_signature_records_are_sorted_as_datatrove_sorts_them():
    rng = np.random.default_rng(2)
    records = rng.integers(0, 4, size=(3000, 11), dtype=np.uint32)  # many ties and zero bytes
    records[:, -1] = rng.permutation(3000)
    assert np.array_equal(records[lexicographic_order(records)], records[np.lexsort(records.T[::-1])])


def test_rensa_signature_files_hold_one_sorted_record_per_signed_document(tmp_path: Path):
    settings = DedupSettings()
    config = minhash_config(settings)
    documents = [
        file_doc("a", "a.py", unique_module(seed=1)),
        file_doc("a", "short.py", "x = 1"),  # no signature: below near_min_tokens
        file_doc("a", "b.py", unique_module(seed=2)),
    ]
    RensaMinhashSignature(str(tmp_path), config, FILES, settings.near_min_tokens).run(iter(documents))
    record = struct.Struct(f"<{config.hashes_per_bucket}II")
    for bucket in range(config.num_buckets):
        data = (tmp_path / f"bucket_{bucket:03d}" / "00000.minhash.sig").read_bytes()
        rows = [record.unpack_from(data, offset) for offset in range(0, len(data), record.size)]
        assert sorted(row[-1] for row in rows) == [0, 2]  # positions among the documents of the task
        assert rows == sorted(rows)


@pytest.mark.parametrize("signatures", ENGINES)
def test_both_engines_keep_the_first_of_a_near_duplicate_cluster(tmp_path: Path, signatures: str):
    lines = unique_module(seed=4).splitlines()
    variants = ["\n".join([*lines[:i], f"    extra_{i} = {i}", *lines[i:]]) for i in (3, 9, 15)]
    tasks = [
        [file_doc("a", "a.py", unique_module(seed=5)), file_doc("a", "m.py", variants[0])],
        [file_doc("b", "b.py", variants[1]), file_doc("b", "c.py", unique_module(seed=6))],
        [file_doc("c", "c.py", variants[2])],
    ]
    kept = run_dedup(tasks, tmp_path, DedupSettings(signatures=signatures))
    assert kept == ["a@worktree:a.py", "a@worktree:m.py", "b@worktree:c.py"]


def test_short_near_duplicates_are_left_to_exact_dedup(tmp_path: Path):
    one_field = 'type {name} struct {{\n\tTile float64 `json:"tile"`\n}}\n'  # 12 tokens
    tasks = [
        [file_doc("a", "a.go", one_field.format(name="OldQueue"))],
        [file_doc("b", "b.go", one_field.format(name="SignerBuilder"))],  # another type: kept
        [file_doc("c", "c.go", one_field.format(name="OldQueue").replace("\t", "    "))],  # a copy: dropped
    ]
    assert run_dedup(tasks, tmp_path) == ["a@worktree:a.go", "b@worktree:b.go"]


def test_signature_engine_and_token_floor_are_validated():
    with pytest.raises(EcosystemConfigError, match="signatures"):
        DedupSettings(signatures="datasketch")
    with pytest.raises(EcosystemConfigError, match="near_min_tokens"):
        DedupSettings(near_min_tokens=-1)
    steps = signature_steps(DedupSettings(signatures="datatrove"), DedupFolders("/nonexistent"), FILES)
    assert [type(step).__name__ for step in steps] == ["ContentHashes", "CodeMinhashSignature"]


def sign_in_a_forked_child(folder: Path, documents: list) -> int:
    """Exit status of a forked child that signs `documents`; 124 if it had not finished after 60 s."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            RensaMinhashSignature(str(folder), minhash_config(DedupSettings()), FILES).run(iter(documents))
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return 124


@pytest.mark.skipif(not hasattr(os, "fork"), reason="local workers are forked only where fork exists")
def test_a_worker_forked_after_the_parent_signed_still_signs_a_large_batch(tmp_path: Path):
    documents = [file_doc("a", f"m{seed}.py", unique_module(seed=seed, functions=1)) for seed in range(300)]
    signer = RensaMinhashSignature(str(tmp_path / "parent"), minhash_config(DedupSettings()), FILES)
    signer.run(iter(documents))  # rensa's thread pool, if it makes one, is made here, before the fork
    assert sign_in_a_forked_child(tmp_path / "child", documents) == 0
    parent, child = (sorted((tmp_path / side).rglob("*.sig")) for side in ("parent", "child"))
    assert [path.read_bytes() for path in parent] == [path.read_bytes() for path in child]
