"""Benchmarks of the Release Risk Advisor: ``python -m bench [NAME...]`` (docs/benchmarks.md).

Nothing here runs in CI and no test asserts a timing. Every request goes to a replay
server on 127.0.0.1; the process refuses any other socket.
"""
