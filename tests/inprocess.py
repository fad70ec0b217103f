"""``advisor`` run in this process (fixtures and monkeypatches apply), as a user would."""

from __future__ import annotations

import sys

import pytest


def run_advisor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``advisor ARGV...``."""
    from advisor.cli import main

    old, sys.argv = sys.argv, ["advisor", *argv]
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err
