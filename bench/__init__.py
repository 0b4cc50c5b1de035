"""Benchmarks: ``uv run python -m bench`` runs them all; each prints a table against an in-run baseline."""
