"""Evaluation: lm-evaluation-harness tasks for a build's test split; sandboxed execution of generated code."""
