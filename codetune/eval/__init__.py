"""Evaluation: lm-evaluation-harness tasks for a build's test split; sandboxed execution of generated code."""

# The metric families `codetune eval --tasks` picks from, in report order. Here, not in `eval.tasks`, so the
# CLI can list them without importing lm-eval's task code or the grammars.
FAMILIES = ("perplexity", "syntax", "deprecated", "overlap", "fim", "trees", "humaneval")
