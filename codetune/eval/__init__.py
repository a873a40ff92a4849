"""Evaluation: lm-evaluation-harness tasks for a build's test split, and sandboxed execution of
generated code."""
