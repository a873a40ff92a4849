"""Benchmarks for codetune; run from the repository root (``python -m benchmarks.<name>``)."""
