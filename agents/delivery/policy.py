"""The ``delivery:`` section of config/policy.yaml; every key is in docs/agents/delivery.md.

Names (issue types, priorities, labels, check names…) compare case-insensitively, so
they are folded once here instead of at every comparison.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from agents.models import Severity


def _fold(values: frozenset[str]) -> frozenset[str]:
    return frozenset(v.casefold() for v in values)


def _fold_keys(values: dict[str, Severity]) -> dict[str, Severity]:
    return {k.casefold(): v for k, v in values.items()}


def _regexes(values: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in values:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return values


Names = Annotated[frozenset[str], AfterValidator(_fold)]
SeverityByName = Annotated[dict[str, Severity], AfterValidator(_fold_keys)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScopePolicy(_Section):
    """scope-not-done, done-without-code, pr-without-issue, open bugs, reopened issues."""

    type_severity: SeverityByName = Field(default_factory=lambda: {
        "bug": Severity.HIGH, "story": Severity.MEDIUM, "task": Severity.MEDIUM,
        "sub-task": Severity.LOW, "subtask": Severity.LOW, "epic": Severity.LOW})
    default_severity: Severity = Severity.MEDIUM
    priority_severity: SeverityByName = Field(default_factory=lambda: {
        "blocker": Severity.CRITICAL, "highest": Severity.CRITICAL,
        "critical": Severity.CRITICAL, "high": Severity.HIGH})
    code_issue_types: Names = frozenset({"story", "bug"})
    no_code_resolutions: Names = frozenset({
        "won't do", "won't fix", "duplicate", "cannot reproduce", "invalid", "declined",
        "obsolete"})
    code_link_patterns: Annotated[tuple[str, ...], AfterValidator(_regexes)] = (
        r"/pull/\d+", r"/pull-requests/\d+", r"/merge_requests/\d+",
        r"/commits?/[0-9a-fA-F]{7,40}")
    allow_labels: Names = frozenset({"dependencies", "documentation", "docs"})
    allow_paths: tuple[str, ...] = ("docs/**", "*.md", "LICENSE", ".github/**")
    allow_authors: Names = frozenset({"dependabot[bot]", "renovate[bot]"})
    bug_types: Names = frozenset({"bug", "defect"})
    high_priorities: Names = frozenset({"blocker", "highest", "critical", "high"})
    blocker_priorities: Names = frozenset({"blocker", "highest"})
    reopen_high_count: int = Field(default=3, ge=1)


class ProcessPolicy(_Section):
    """merged-without-approval, failing-or-missing-checks, late-merge, large-pr."""

    min_approvals: int = Field(default=1, ge=1)
    required_checks: Names = frozenset()
    failing_conclusions: Names = frozenset({"failure", "timed_out", "cancelled",
                                            "action_required"})
    passing_conclusions: Names = frozenset({"success", "neutral", "skipped"})
    failing_states: Names = frozenset({"failure", "error"})
    late_merge_days: float = Field(default=2.0, ge=0)
    large_pr_lines: int = Field(default=800, ge=1)
    large_pr_files: int = Field(default=40, ge=1)


class CoverageGapPolicy(_Section):
    """untested-change and uncovered-changed-lines."""

    source_globs: tuple[str, ...] = (
        "*.py", "*.go", "*.js", "*.jsx", "*.ts", "*.tsx", "*.java", "*.kt", "*.rb", "*.rs",
        "*.cs", "*.php", "*.scala", "*.swift", "*.c", "*.cc", "*.cpp", "*.h")
    test_globs: tuple[str, ...] = (
        "test/**", "tests/**", "**/test/**", "**/tests/**", "**/__tests__/**", "test_*.py",
        "*_test.py", "*_test.go", "*.test.*", "*.spec.*", "*Test.java", "*Tests.cs",
        "*_spec.rb", "conftest.py")
    min_source_lines: int = Field(default=5, ge=0)
    uncovered_medium_ratio: float = Field(default=0.5, ge=0, le=1)
    max_ranges: int = Field(default=10, ge=1)


class ChangeRiskPolicy(_Section):
    """high-change-risk, the riskiest-changes score factor and suggested tests."""

    medium_threshold: float = Field(default=0.8, gt=0, lt=1)
    high_threshold: float = Field(default=0.9, gt=0, lt=1)
    top_n: int = Field(default=3, ge=1)
    factor_points: float = Field(default=10.0, ge=0)
    factor_baseline: float = Field(default=0.5, ge=0, lt=1)
    top_contributions: int = Field(default=3, ge=1)
    max_history_prs: int = Field(default=500, ge=0)
    history_max_commits: int = Field(default=10_000, ge=1)
    max_functions: int = Field(default=3, ge=1)
    max_tests: int = Field(default=6, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> ChangeRiskPolicy:
        if self.high_threshold < self.medium_threshold:
            raise ValueError("high_threshold must not be below medium_threshold")
        return self


class DeliveryPolicy(_Section):
    jira_base_url: str | None = None  # used when the snapshot does not say where Jira is
    scope: ScopePolicy = Field(default_factory=ScopePolicy)
    process: ProcessPolicy = Field(default_factory=ProcessPolicy)
    tests: CoverageGapPolicy = Field(default_factory=CoverageGapPolicy)
    change_risk: ChangeRiskPolicy = Field(default_factory=ChangeRiskPolicy)
