"""ci-supply-chain: GitHub Actions workflows changed by a PR."""

from __future__ import annotations

from agents.models import Confidence, Severity
from tests.agents.security.builders import added, changed, files, hunk, pull, reviewer

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"
PWN = """name: preview
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make test
"""


def _ci(text: str, path: str = ".github/workflows/ci.yml", **policy: object) -> list:  # type: ignore[type-arg]
    review = reviewer(**policy).review(pull(added(path, text.splitlines())))
    return [f for f in review.findings if f.category == "ci-supply-chain"]


def _titles(findings: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(f.title.split(" (")[0] for f in findings)


def test_pull_request_target_with_a_head_checkout_is_critical() -> None:
    [finding] = _ci(PWN)
    assert finding.severity is Severity.CRITICAL and finding.confidence is Confidence.HIGH
    assert finding.evidence[0].line == 13
    assert finding.cwe == ["CWE-829", "CWE-94"]


def test_pull_request_with_a_head_checkout_is_fine() -> None:
    assert _ci(PWN.replace("pull_request_target", "pull_request")) == []


def test_third_party_actions_need_a_commit_sha() -> None:
    text = PWN.replace("pull_request_target", "push").replace(
        "      - run: make test", f"      - uses: docker/login-action@v3\n"
                                   f"      - uses: aws-actions/configure-aws-credentials@{SHA}\n"
                                   f"      - uses: ./.github/actions/local\n"
                                   f"      - run: make test")
    [finding] = _ci(text)
    assert finding.title.startswith("Third-party action not pinned")
    assert "docker/login-action@v3" in finding.explanation and finding.evidence[0].line == 14


def test_first_party_owners_are_configurable() -> None:
    text = PWN.replace("pull_request_target", "push")
    assert _ci(text) == []
    assert _titles(_ci(text, first_party_action_owners=[])) == [
        "Third-party action not pinned to a commit SHA"]


def test_write_all_and_default_write_permissions() -> None:
    text = PWN.replace("pull_request_target", "push").replace("  contents: read\n", "")
    assert _titles(_ci(text.replace("permissions:\n", "permissions: write-all\n"))) == [
        "Workflow grants the token write-all permissions"]
    assert _titles(_ci(text.replace("permissions:\n", ""))) == [
        "Workflow relies on the default write token permissions"]
    assert _ci(text.replace("permissions:\n", ""), default_token_permissions="read") == []


def test_secrets_echoed_to_the_log() -> None:
    text = PWN.replace("pull_request_target", "push").replace(
        "make test", 'echo "token=${{ secrets.NPM_TOKEN }}"')
    [finding] = _ci(text)
    assert finding.title.startswith("Secret written to the build log")
    assert "secrets.NPM_TOKEN" in finding.explanation
    masked = text.replace('echo "token=', 'echo "::add-mask::')
    assert _ci(masked) == []


def test_untrusted_event_text_in_a_run_script() -> None:
    run = ("      - run: |\n          echo \"${{ github.event.pull_request.title }}\" > t.txt\n")
    text = PWN.replace("pull_request_target", "pull_request").replace(
        "      - run: make test\n", run)
    [finding] = _ci(text)
    assert finding.title.startswith("Untrusted event text interpolated")
    assert finding.cwe == ["CWE-78", "CWE-94"] and finding.evidence[0].line == 15


def test_untrusted_event_text_through_env_is_the_safe_pattern() -> None:
    run = ("      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n"
           "        run: echo \"$TITLE\"\n")
    text = PWN.replace("pull_request_target", "pull_request").replace(
        "      - run: make test\n", run)
    assert _ci(text) == []


def test_without_content_the_hunks_still_show_script_injection() -> None:
    patch = hunk(20, 20, ["       - run: |", "+          git commit -m \"${{ github.event"
                                              ".issue.title }}\"", "           git push"])
    review = reviewer().review(pull(changed(".github/workflows/bot.yml", patch)))
    [finding] = [f for f in review.findings if f.category == "ci-supply-chain"]
    assert finding.confidence is Confidence.MEDIUM and "diff hunks only" in finding.explanation
    assert any("workflow rules on diff lines only" in g.why for g in review.gaps)


def test_modified_workflow_keeps_its_old_problems_out_of_this_pr() -> None:
    head = PWN
    patch = hunk(14, 14, ["       - run: make test", "+      - run: make lint"])
    review = reviewer(content=files({".github/workflows/ci.yml": head + "      - run: make lint\n"})
                      ).review(pull(changed(".github/workflows/ci.yml", patch)))
    assert [f for f in review.findings if f.category == "ci-supply-chain"] == []


def test_unparsable_workflow_is_input_unreadable() -> None:
    review = reviewer().review(pull(added(".github/workflows/x.yml", ["on: [push", "jobs: {"])))
    assert [f.category for f in review.findings] == ["input-unreadable"]


def test_the_same_injection_twice_is_two_findings() -> None:
    """Regression: findings were de-duplicated on (rule, subject), losing the second line."""
    lines = ["on: pull_request", "permissions: {contents: read}", "jobs:", "  a:",
             "    runs-on: ubuntu-latest", "    steps:", "      - run: |",
             '          echo "${{ github.event.pull_request.title }}"',
             '          echo "${{ github.event.pull_request.title }}"']
    review = reviewer().review(pull(added(".github/workflows/ci.yml", lines)))
    found = [f for f in review.findings if f.rule_id == "RRA-GHA-SCRIPT-INJECTION"]
    assert [f.evidence[0].line for f in found] == [8, 9]
    assert len({f.fingerprint for f in found}) == 2
