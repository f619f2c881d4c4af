"""Services the tests and benchmarks start for themselves: a throw-away PostgreSQL (pgctl.py)."""
