"""Running the ``advisor`` command line in-process, as a user types it."""

from __future__ import annotations

import sys

import pytest

from advisor.cli import main

# One holder per role, for tests that sign off, switch and get refused.
ROLES = """\
roles:
  admin: [ada]
  release-approver: [rita]
  security-reviewer: [sam]
  portfolio-approver: [paula]
"""


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *argv: str) -> tuple[int, str, str]:
    """``advisor ARGV…``: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["advisor", *argv])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
