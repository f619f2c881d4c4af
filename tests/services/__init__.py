"""Services the tests and benchmarks start for themselves: a throw-away PostgreSQL (pgctl.py), nginx in front of
several app servers (nginx.py), and waiting for a server to come up and stopping it (process.py)."""
