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
        ("identities: [sam]\n", "identities: Input should be a valid dictionary"),
        ("identities:\n  sam: sam@acme.example\n", "'sam@acme.example' .for sam. is not a "
                                                     "GitHub login"),
        ("identities:\n  sam: [sam gh]\n", "is not a GitHub login"),
        ("identities:\n  sam: [-sam]\n", "is not a GitHub login"),
        ("identities:\n  sam: []\n", "map an identity to a GitHub login or a list"),
        ("identities:\n  sam: [a]\n  SAM: [b]\n", "'SAM' is listed twice"),
        ("identities:\n  agent:security: [x]\n", "agent:security is a bot identity"),
        ("identities:\n  ci[bot]: [x]\n", "is a bot identity"),
    ],
)
def test_bad_roles_files_give_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_roles(path)
    assert "\n" not in str(caught.value)


def test_identities_map_people_to_their_github_logins(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("identities:\n  sam: '@Sam-GH'\n  rita: [qa-rlopez, rlopez_acme]\n")
    book = load_roles(path)
    assert book.identities == {"sam": ["Sam-GH"], "rita": ["qa-rlopez", "rlopez_acme"]}
    assert book.github_logins("SAM") == ["Sam-GH"] and book.github_logins("pat") == []
    assert book.known_as("rita") == {"rita", "qa-rlopez", "rlopez_acme"}
    assert book.known_as("QA-rlopez") == {"rita", "qa-rlopez", "rlopez_acme"}
    assert book.known_as("pat") == {"pat"}
    assert book.among("sam", ["alice", "sam-gh"]) == "sam-gh"
    assert book.among("sam", ["alice", "samuel"]) is None
    assert load_roles(default_config_dir() / "roles.yaml").identities == {}


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
