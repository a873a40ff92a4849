"""Coverage of gitleaks' catalogue of token formats: one sample of each, run through the redactor.

A rule counts as covered when redaction leaves none of its sample's secret in the text. The samples and the
formats we leave alone (with the reason) are in `tests/hygiene/secret_catalogue.py`.

Usage: ``python -m benchmarks.secret_coverage [--table]``; ``--table`` prints the Markdown table of
`docs/secrets.md`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from codetune.hygiene.redact import redact_text
from tests.hygiene.secret_catalogue import CATALOGUE_SIZE, NOT_COVERED, SAMPLES, Sample, samples


@dataclass(frozen=True)
class RuleResult:
    rule: str
    covered: bool
    note: str


def check(sample: Sample) -> RuleResult:
    redacted = redact_text(sample.text)[0]
    left = [secret for secret in sample.secrets if secret in redacted]
    shape = SAMPLES[sample.rule].split("⟦", 1)[1].split("⟧", 1)[0]
    return RuleResult(sample.rule, not left, f"`{shape}`" if not left else "sample left in the text")


def coverage() -> list[RuleResult]:
    results = [check(sample) for sample in samples()]
    results += [RuleResult(rule, False, f"not covered: {reason}") for rule, reason in NOT_COVERED.items()]
    return sorted(results, key=lambda result: result.rule)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the Markdown table of docs/secrets.md")
    args = parser.parse_args(argv)
    results = coverage()
    assert len(results) == CATALOGUE_SIZE, f"{len(results)} rules, the catalogue has {CATALOGUE_SIZE}"
    covered = sum(result.covered for result in results)
    missed = [result.rule for result in results if not result.covered and result.rule not in NOT_COVERED]
    if args.table:
        print("| gitleaks rule | covered | sample shape, or why not |")
        print("|---|:-:|---|")
        for result in results:
            note = result.note.replace("|", r"\|")
            print(f"| `{result.rule}` | {'yes' if result.covered else 'no'} | {note} |")
    print(f"coverage of gitleaks' catalogue: {covered} of {CATALOGUE_SIZE}")
    print(f"left alone by choice: {len(NOT_COVERED)}; sampled but missed: {len(missed)} {missed}")


if __name__ == "__main__":
    main()
