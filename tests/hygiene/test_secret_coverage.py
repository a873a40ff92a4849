"""Coverage beyond our own examples: gitleaks' catalogue of token formats, and the second labelled set."""

from __future__ import annotations

import pytest

from benchmarks.secret_coverage import check, coverage
from codetune.hygiene.redact import find_secrets, redact_text
from tests.hygiene.catalogue_set import catalogue_clean, catalogue_planted
from tests.hygiene.redaction_set.corpus import TYPES, score
from tests.hygiene.secret_catalogue import CATALOGUE_SIZE, NOT_COVERED, SAMPLES, samples


def test_every_catalogue_rule_is_sampled_or_left_alone_with_a_reason():
    assert len(SAMPLES) + len(NOT_COVERED) == CATALOGUE_SIZE
    assert not set(SAMPLES) & set(NOT_COVERED)
    assert all(len(reason) > 20 for reason in NOT_COVERED.values())


@pytest.mark.parametrize("sample", samples(), ids=lambda sample: sample.rule)
def test_each_sampled_catalogue_format_is_redacted(sample):
    assert check(sample).covered, sample.rule


def test_catalogue_coverage_is_206_of_222():
    assert sum(result.covered for result in coverage()) == 206


def test_second_labelled_set_is_fully_caught_and_no_clean_file_is_altered():
    result = score(find_secrets, lambda text: redact_text(text)[0], catalogue_planted(), catalogue_clean())
    assert sum(result.planted.values()) >= 50 and result.clean_files >= 15
    assert {"private_key", "api_key", "mnemonic"} <= set(result.planted)
    assert result.recall == 1.0, result.missed
    assert all(result.precision(kind) == 1.0 for kind in TYPES), dict(result.false_findings)
    assert result.clean_altered == []
