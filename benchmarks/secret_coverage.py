"""Coverage of gitleaks' catalogue of token formats: one sample of each, run through the redactor.

A rule counts as covered when redaction leaves none of its sample's secret in the text. The samples and the
formats we leave alone (with the reason) are in `tests/hygiene/secret_catalogue.py`.

Usage: ``python -m benchmarks.secret_coverage [--table]``; ``--table`` prints the Markdown table of
`docs/secrets.md`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from codetune.hygiene.private_keys import find_private_keys
from codetune.hygiene.redact import redact_text
from codetune.hygiene.secret_scan import Finding, TextScan
from codetune.hygiene.secret_tokens import find_secret_assignments, format_findings, plugin_findings
from codetune.hygiene.web_credentials import find_web_credentials
from tests.hygiene.secret_catalogue import CATALOGUE_SIZE, NOT_COVERED, SAMPLES, Sample, samples


def _per_line(find: Callable[[str, int], Iterator[Finding]]) -> Callable[[TextScan], Iterator[Finding]]:
    return lambda scan: (
        finding for offset, line in scan.line_texts(scan.token_lines) for finding in find(line, offset)
    )


# Which detector caught a sample, named as in docs/secrets.md.
DETECTORS: dict[str, Callable[[TextScan], Iterator[Finding]]] = {
    "detect-secrets": _per_line(plugin_findings),
    "token format": _per_line(format_findings),
    "named secret": find_secret_assignments,
    "web credential": find_web_credentials,
    "private key": find_private_keys,
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    covered: bool
    detectors: str
    note: str


def check(sample: Sample) -> RuleResult:
    redacted = redact_text(sample.text)[0]
    left = [secret for secret in sample.secrets if secret in redacted]
    secret_start = sample.text.index(sample.secrets[0])
    by = [
        name
        for name, detector in DETECTORS.items()
        if any(f.start <= secret_start < f.end for f in detector(TextScan(sample.text)))
    ]
    shape = SAMPLES[sample.rule].replace("⟦", "").replace("⟧", "").splitlines()
    note = "`" + " ⏎ ".join(line.strip() for line in shape if line.strip()) + "`"
    return RuleResult(sample.rule, not left, ", ".join(by), note if not left else "sample left in the text")


def coverage() -> list[RuleResult]:
    results = [check(sample) for sample in samples()]
    results += [RuleResult(rule, False, "", f"not covered: {reason}") for rule, reason in NOT_COVERED.items()]
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
        print("| gitleaks rule | covered | caught by | our sample's shape, or why not |")
        print("|---|:-:|---|---|")
        for result in results:
            note = result.note.replace("|", r"\|")
            mark = "yes" if result.covered else "no"
            print(f"| `{result.rule}` | {mark} | {result.detectors} | {note} |")
    print(f"coverage of gitleaks' catalogue: {covered} of {CATALOGUE_SIZE}")
    print(f"left alone by choice: {len(NOT_COVERED)}; sampled but missed: {len(missed)} {missed}")


if __name__ == "__main__":
    main()
