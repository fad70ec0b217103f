"""The GitHub connector's pure parts: keys, CODEOWNERS, settings, wire parsing, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from github import GithubException
from pydantic import SecretStr, ValidationError

from connectors.github import GitHubSettings
from connectors.github.client import api_error
from connectors.github.codeowners import LOCATIONS, parse_codeowners
from connectors.github.issue_keys import jira_keys
from connectors.github.models import CodeOwnerRule
from connectors.github.wire import (
    MalformedResponse,
    changed_file,
    file_text,
    listed,
    parse,
    pull_summary,
    review,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "scripts" / "github_openapi_examples.json"

# -- Jira keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "keys"),
    [
        (("PAY-12 fix", None, "feature/PAY-12-retry"), ("PAY-12",)),
        (("Fix", "Closes SHOP-3, relates to OPS-10 and SHOP-3", "main"), ("SHOP-3", "OPS-10")),
        (("[AB2-7] title", "", "ab2-7-lowercase-branch"), ("AB2-7",)),
        (("", "", "bugfix/PAY-12_retry"), ("PAY-12",)),  # "_" does not glue
        (("xPAY-1 and 9PAY-2", "", ""), ()),  # glued to a letter or digit
        (("P-1 single letter", "", ""), ()),  # the project key has 2+ characters
        (("Bump lib", "Fixes CVE-2024-1234 and CWE-79; UTF-8 and SHA-256 only", ""), ()),
        (("B-2 C-3", "ABC-1 then ABC-1", "DEF-2"), ("ABC-1", "DEF-2")),
    ],
)
def test_jira_keys(texts: tuple[str | None, ...], keys: tuple[str, ...]) -> None:
    assert jira_keys(*texts) == keys


# -- CODEOWNERS ----------------------------------------------------------------------------


def test_codeowners_locations_in_github_order() -> None:
    assert LOCATIONS == (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def test_codeowners_rules() -> None:
    text = (
        "# comment\n"
        "\n"
        "*.js    @js-owner #This is an inline comment.\n"
        "/build/logs/ @doctocat\n"
        "docs/*  docs@example.com @org/writers\n"
        "/apps/github\n"
        "\\#file_with_pound.rb @octocat\n"
        "/scripts/ not-an-owner\n"
    )
    assert parse_codeowners(text) == (
        CodeOwnerRule(pattern="*.js", owners=("@js-owner",), line=3),
        CodeOwnerRule(pattern="/build/logs/", owners=("@doctocat",), line=4),
        CodeOwnerRule(pattern="docs/*", owners=("docs@example.com", "@org/writers"), line=5),
        CodeOwnerRule(pattern="/apps/github", owners=(), line=6),
        CodeOwnerRule(pattern="#file_with_pound.rb", owners=("@octocat",), line=7),
    )


# -- settings ------------------------------------------------------------------------------


def test_settings_from_env_with_a_token() -> None:
    env = {"GITHUB_TOKEN": " s3cr3t ", "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}
    settings = GitHubSettings.from_env(env)
    assert settings.token is not None and settings.token.get_secret_value() == "s3cr3t"
    assert settings.base_url == "https://ghe.example.com/api/v3"
    assert (settings.per_page, settings.max_workers, settings.uses_app) == (100, 8, False)
    assert "s3cr3t" not in repr(settings)


def test_settings_fall_back_to_gh_token_and_default_url() -> None:
    settings = GitHubSettings.from_env({"GH_TOKEN": "gh", "GITHUB_API_URL": ""})
    assert settings.token == SecretStr("gh")
    assert settings.base_url == "https://api.github.com"
    assert GitHubSettings.from_env({}).token is None  # anonymous: public data only



def test_settings_read_the_pool_size_within_githubs_concurrency_cap() -> None:
    assert GitHubSettings.from_env({"GITHUB_MAX_WORKERS": "64"}).max_workers == 64
    for bad in ("0", "101", "many"):
        with pytest.raises(ValidationError):
            GitHubSettings.from_env({"GITHUB_MAX_WORKERS": bad})

def test_settings_for_a_github_app() -> None:
    env = {
        "GITHUB_TOKEN": "also-set-by-ci",
        "GITHUB_APP_ID": "1234",
        "GITHUB_APP_PRIVATE_KEY": "-----BEGIN KEY-----\\nabc\\n-----END KEY-----",
        "GITHUB_APP_INSTALLATION_ID": "42",
    }
    settings = GitHubSettings.from_env(env)
    assert (settings.app_id, settings.installation_id, settings.uses_app) == (1234, 42, True)
    assert settings.private_key is not None
    assert settings.private_key.get_secret_value().splitlines()[1] == "abc"
    assert "abc" not in repr(settings)


def test_settings_reject_half_an_app_and_bad_values() -> None:
    with pytest.raises(ValidationError, match="missing GITHUB_APP_PRIVATE_KEY"):
        GitHubSettings.from_env({"GITHUB_APP_ID": "1", "GITHUB_APP_INSTALLATION_ID": "2"})
    with pytest.raises(ValidationError):
        GitHubSettings(base_url="api.github.com")
    with pytest.raises(ValidationError):
        GitHubSettings(per_page=101)  # GitHub's maximum is 100


# -- wire parsing --------------------------------------------------------------------------


def file_entry(**overrides: Any) -> dict[str, Any]:
    entry = {"filename": "a.py", "status": "modified", "additions": 1, "deletions": 2}
    return {**entry, "changes": 3, "patch": "@@ -1 +1 @@", **overrides}


def test_changed_file_patch_flags() -> None:
    assert changed_file(file_entry()).patch_truncated is False
    withheld = {k: v for k, v in file_entry().items() if k != "patch"}
    assert changed_file(withheld).patch_truncated is True
    binary = {"filename": "a.png", "status": "added", "additions": 0, "deletions": 0, "changes": 0}
    assert (changed_file(binary).patch, changed_file(binary).patch_truncated) == (None, False)


@pytest.mark.parametrize(
    "body",
    [
        file_entry(status="exploded"),  # not one of GitHub's statuses
        file_entry(additions="many"),
        {k: v for k, v in file_entry().items() if k != "filename"},
        "<html>",
        None,
    ],
)
def test_malformed_bodies_raise_malformed_response(body: Any) -> None:
    with pytest.raises(MalformedResponse, match=r"^malformed response: "):
        parse(lambda: changed_file(body))


def test_unknown_review_state_and_missing_pr_fields_are_malformed() -> None:
    with pytest.raises(MalformedResponse):
        parse(lambda: review({"id": 1, "state": "LGTM", "user": None}))
    with pytest.raises(MalformedResponse):
        parse(lambda: pull_summary({"number": 1, "title": "t"}))


def test_the_merger_is_read_where_rest_names_one() -> None:
    """GitHub's documented examples: the single-PR body names ``merged_by``; the listing's
    ``pull-request-simple`` has no such field."""
    examples = json.loads(EXAMPLES.read_text())["examples"]
    full = examples["pull-request"]["value"]
    assert pull_summary(full).merged_by == full["merged_by"]["login"] == "octocat"
    assert pull_summary(examples["pull-request-simple-items"]["value"][0]).merged_by is None
    assert pull_summary({**full, "merged_by": None}).merged_by is None


def test_listed_pages() -> None:
    assert listed([1, 2], None) == [1, 2]
    assert listed({"total_count": 1, "check_runs": [3]}, "check_runs") == [3]
    with pytest.raises(MalformedResponse, match="expected a list under 'check_runs'"):
        listed({"data": "<html>"}, "check_runs")
    with pytest.raises(MalformedResponse):
        listed({"message": "Not Found"}, None)


def test_file_text_decodes_githubs_wrapped_base64() -> None:
    body = {"type": "file", "encoding": "base64", "content": "KiBA\nb3Jn\nL3Rl\nYW0K\n"}
    assert file_text(body) == "* @org/team\n"
    with pytest.raises(ValueError, match="not inlined"):
        file_text({"type": "file", "encoding": "none", "content": ""})  # over 1 MB
    with pytest.raises(ValueError, match="expected a file"):
        file_text({"type": "dir"})


# -- GitHub errors ---------------------------------------------------------------------------


def test_error_messages_are_one_line_and_name_rate_limits() -> None:
    forbidden = api_error(GithubException(403, {"message": "Resource not accessible"}, {}))
    assert (forbidden.why, forbidden.rate_limited) == ("403 Resource not accessible", False)
    primary = api_error(
        GithubException(403, {"message": "API rate limit exceeded for user ID 1."}, {})
    )
    assert primary.rate_limited
    assert primary.why.endswith("(rate limit outlasted the retry budget)")
    limited = api_error(GithubException(429, {"message": "slow\ndown"}, {"Retry-After": "60"}))
    assert limited.why == "429 slow down (rate limit outlasted the retry budget)"
    expired = api_error(GithubException(401, {"message": "Bad credentials"}, {}))
    assert expired.bad_credentials and not forbidden.bad_credentials
