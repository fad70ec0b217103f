"""critical-path-unreviewed: CODEOWNERS approval of critical paths, and the globs."""

from __future__ import annotations

import pytest

from agents.globs import compile_glob
from agents.models import Confidence, Severity
from agents.security.critical_paths import approvers
from connectors.github.codeowners import parse_codeowners
from tests.agents.security.builders import changed, hunk, pull, review, reviewer
from tests.configs import critical_paths

CODEOWNERS = parse_codeowners("""
*                 @acme/everyone
/auth/            @alice
/auth/legacy/     @acme/identity
payments/         @bob bob@acme.example
""")
PATCH = hunk(1, 1, ["+x = 1"])


def _critical(pr, **policy):  # type: ignore[no-untyped-def]
    found = reviewer(codeowners=CODEOWNERS, **policy).review(pr)
    return [f for f in found.findings if f.category == "critical-path-unreviewed"], found.gaps


def test_critical_path_without_any_approval_is_high() -> None:
    [finding], _ = _critical(pull(changed("auth/session.py", PATCH)))
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
    assert finding.cwe == ["CWE-657"] and finding.owasp == ["A04:2021-Insecure Design"]
    assert any(e.path == "auth/session.py" and "@alice" in (e.detail or "")
               for e in finding.evidence)


def test_approval_by_someone_who_is_not_an_owner_is_medium() -> None:
    [finding], _ = _critical(pull(changed("auth/session.py", PATCH), reviews=[review("carol")]))
    assert finding.severity is Severity.MEDIUM and "carol" in finding.explanation


def test_approval_by_the_owner_satisfies_the_path() -> None:
    assert _critical(pull(changed("auth/session.py", PATCH), reviews=[review("Alice")]))[0] == []


def test_non_critical_paths_need_nothing() -> None:
    assert _critical(pull(changed("docs/readme.md", PATCH)))[0] == []


def test_last_matching_rule_wins_and_unknown_teams_are_assumed() -> None:
    pr = pull(changed("auth/legacy/login.py", PATCH), reviews=[review("alice")])
    [finding], _ = _critical(pr)  # @acme/identity owns it, not alice; membership unknown
    assert finding.severity is Severity.INFO and finding.confidence is Confidence.MEDIUM
    assert "assumed" in finding.title


def test_known_team_membership_is_checked() -> None:
    pr = pull(changed("auth/legacy/login.py", PATCH), reviews=[review("alice")])
    [finding], _ = _critical(pr, team_members={"@acme/identity": ["dave"]})
    assert finding.severity is Severity.MEDIUM
    ok = pull(changed("auth/legacy/login.py", PATCH), reviews=[review("dave")])
    assert _critical(ok, team_members={"@acme/identity": ["dave"]})[0] == []


def test_latest_decisive_review_counts_and_authors_cannot_approve() -> None:
    pr = pull(reviews=[review("alice", "APPROVED", 1), review("alice", "COMMENTED", 2),
                       review("alice", "CHANGES_REQUESTED", 3), review("mallory", "APPROVED", 4),
                       review("bob", "APPROVED", 5)], author="mallory")
    assert approvers(pr) == {"bob"}


def test_unread_reviews_are_a_gap_not_a_finding() -> None:
    findings, gaps = _critical(pull(changed("payments/charge.py", PATCH), missing=("reviews",)))
    assert findings == [] and [g.what for g in gaps] == ["acme/pay#12: reviews"]


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("*", "any/where/file.py", True),
    ("*.js", "web/app.js", True),
    ("/docs/", "docs/a/b.md", True),
    ("/docs/", "src/docs/a.md", False),
    ("docs/*", "docs/a.md", True),
    ("docs/*", "docs/build/a.md", False),
    ("apps/", "x/apps/main.py", True),
    ("**/logs", "a/b/logs/x.log", True),
    ("/build/logs/", "build/logs/x", True),
    ("auth", "src/auth/x.py", True),
    ("*auth*.py", "src/oauth_client.py", True),
    ("*auth*.py", "src/author.txt", False),
])
def test_codeowners_globs(pattern: str, path: str, hit: bool) -> None:
    assert bool(compile_glob(pattern).match(path)) is hit


def test_shipped_critical_paths_file_loads() -> None:
    paths = critical_paths()
    assert [s.label for s in paths.labels("services/payments/refund.py")] == ["payments"]
    assert [s.label for s in paths.labels(".github/workflows/ci.yml")] == ["ci"]
    assert paths.labels("README.md") == []
