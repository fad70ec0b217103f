"""A command line that names its command loads that command alone, and behaves exactly as
the whole command line does; anything else gets every command."""

from __future__ import annotations

import pytest

from advisor.cli import COMMANDS, build_app, command_named
from advisor.errors import ExitCode


@pytest.mark.parametrize(("args", "named"), [
    (["killswitch", "status"], "killswitch"),
    (["security-review", "--diff", "x.diff"], "security-review"),
    (["--help"], None),
    (["--help", "killswitch"], None),  # root help lists every command
    (["--version", "killswitch"], None),
    (["kilswitch", "status"], None),  # a typo: the whole CLI suggests the right name
    ([], None),
])
def test_the_command_a_line_names(args: list[str], named: str | None) -> None:
    assert command_named(args) == named


def _help(args: list[str], only: str | None, capsys: pytest.CaptureFixture[str]) -> str:
    code = build_app(only)(args=args, prog_name="advisor", standalone_mode=False)
    assert code in (None, ExitCode.OK)
    return capsys.readouterr().out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_loaded_alone_is_the_same_command(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    alone = _help([name, "--help"], name, capsys)
    assert alone.startswith(f"Usage: advisor {name} ")
    assert alone == _help([name, "--help"], None, capsys)


def test_the_whole_command_line_lists_every_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    listed = _help(["--help"], None, capsys)
    assert all(f"\n  {name} " in listed for name in COMMANDS)
