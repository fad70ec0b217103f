"""Roles file loading: clear one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.paths import default_config_dir
from governance.errors import ConfigError
from governance.roles import RoleBook, load_roles


def test_shipped_roles_file_loads() -> None:
    book = load_roles(default_config_dir() / "roles.yaml")
    assert book.role_for_kind("release") == "release-approver"
    assert book.is_bot("github-actions")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("roles: [unclosed", r"cannot read .*roles.yaml:1:\d+:"),  # file:line:column
        ("roles:\n  superuser: [x]\n", "unknown role"),
        ("signoff:\n  payroll: admin\n", "unknown report kind"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("roles:\n  admin: [a]\nextra: 1\n", "extra"),
    ],
)
def test_bad_roles_files_give_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_roles(path)
    assert "\n" not in str(caught.value)


def test_missing_roles_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_roles(tmp_path / "absent.yaml")


def test_unknown_role_lookup_is_an_error() -> None:
    with pytest.raises(ConfigError):
        RoleBook().has_role("ada", "superuser")


@pytest.mark.parametrize(
    ("identity", "bot"),
    [
        ("dependabot[bot]", True),
        ("Release-Risk-Advisor[bot]", True),
        ("agent:security", True),
        ("github-actions", True),
        ("pat", False),
        ("robot", False),
        ("bo", False),
    ],
)
def test_bot_patterns_treat_brackets_literally(identity: str, bot: bool) -> None:
    book = load_roles(default_config_dir() / "roles.yaml")
    assert book.is_bot(identity) is bot
