"""The per-PR checklist: one item per action, derived from the findings."""

from __future__ import annotations

from agents.models import Severity
from agents.security.checklist import checklist_for
from tests.agents.security.builders import added, pull, reviewer


def test_checklist_groups_findings_by_action() -> None:
    workflow = ["on: push", "permissions: {contents: read}", "jobs:", "  b:",
                "    runs-on: ubuntu-latest", "    steps:",
                "      - uses: docker/login-action@v3",
                "      - uses: tj-actions/changed-files@v41",
                '      - run: echo "${{ secrets.TOKEN }}"']
    review = reviewer().review(pull(added(".github/workflows/ci.yml", workflow),
                                    added("app/keys.py", ['KEY = "AKIAZ3MHN7QWERTY5XVB"'])))
    items = review.checklist.items
    assert [(i.category, i.severity) for i in items] == [
        ("ci-supply-chain", Severity.HIGH), ("secret", Severity.HIGH),
        ("ci-supply-chain", Severity.MEDIUM)]
    pin = items[-1]
    assert pin.action.startswith("Pin to the full 40-character commit SHA")
    assert len(pin.fingerprints) == 2 and pin.where[0].startswith(".github/workflows/ci.yml:7")
    assert items[1].action.startswith("Revoke and rotate the credential now")
    markdown = review.checklist.markdown()
    assert markdown.startswith("Security checklist for acme/pay#12:")
    assert "- [ ] [high]" in markdown and "AKIAZ3MHN7QWERTY5XVB" not in markdown


def test_no_findings_no_items() -> None:
    assert checklist_for("acme/pay#1", []).markdown() == (
        "Security checklist for acme/pay#1: nothing to do.")
