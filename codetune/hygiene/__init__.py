"""Data hygiene between file filtering and the subsets: licenses, redaction, duplicates, contamination."""
