"""Benchmarks: `python -m bench` prints a table, `python -m bench --json` machine-readable numbers."""
