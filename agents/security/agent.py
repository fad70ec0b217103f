"""The security agent: every PR of a release (or one PR) through the security review.

``analyse`` is the ``Agent`` protocol: it reads ``snapshot.github`` (PRs, diffs, reviews,
CODEOWNERS, commits) and ``snapshot.osv`` (advisories for the dependency changes the
snapshot builder found with ``dependency_changes``). OSV is only needed when a PR
changes dependencies; then its absence is a gap, never "no vulnerabilities".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from agents.base import AgentInput, assemble_report
from agents.iac.checkov import CheckovFailure, CheckovReportError, load_checkov_report
from agents.injection import TextOrigin, detect
from agents.models import AgentReport, Coverage, CoverageStatus, Finding, LlmUsage
from agents.policy import Policy
from agents.security.content import ContentProvider, clone_reader
from agents.security.critical_paths import CriticalPaths
from agents.security.findings import FindingFactory, PrRef, checks
from agents.security.injection_scan import security_injection_findings
from agents.security.llm_review import SecondOpinion
from agents.security.policy import SecurityPolicy, security_policy
from agents.security.review import PullReview, PullReviewer
from connectors.github.models import CodeOwnerRule, Commit, GitHubRelease, PullRequest
from connectors.osv.models import OsvResult
from connectors.provenance import Gap
from governance.redact import Redactor, default_redactor

if TYPE_CHECKING:  # the configuration imports the agents it configures
    from agents.config import AgentConfig

__all__ = ["SecurityAgent"]


def _release_ref(github: GitHubRelease) -> PrRef:
    repo = github.repository
    return PrRef(number=0, url=repo.html_url, repo=repo.full_name,
                 name=f"{repo.full_name} {github.base}..{github.head}")


def _changed_path(failure: CheckovFailure, by_name: dict[str, list[str]]) -> str | None:
    """The changed file a checkov path names; checkov may have run in a subdirectory."""
    for path in by_name.get(PurePosixPath(failure.path).name, []):
        if path == failure.path or path.endswith("/" + failure.path):
            return path
    return None


def _checkov_by_pr(failures: Sequence[CheckovFailure],
                   prs: Sequence[PullRequest]) -> dict[int, list[CheckovFailure]]:
    """Each failure goes to the last-merged PR that changed its file (the report shows the
    final state); failures on files no PR changed are not this release's."""
    ordered = sorted(prs, key=lambda p: (p.merged_at is not None, p.merged_at or p.created_at))
    owner: dict[str, int] = {}
    for pr in ordered:
        for changed in pr.files:
            owner[changed.path] = pr.number
    by_name: dict[str, list[str]] = {}
    for path in owner:
        by_name.setdefault(PurePosixPath(path).name, []).append(path)
    assigned: dict[int, list[CheckovFailure]] = {}
    for failure in failures:
        target = _changed_path(failure, by_name)
        if target is not None:
            assigned.setdefault(owner[target], []).append(replace(failure, path=target))
    return assigned


class SecurityAgent:
    name: ClassVar[str] = "security"
    needs: ClassVar[tuple[str, ...]] = ("github", "osv")

    def __init__(
        self,
        *,
        content: ContentProvider | None = None,
        checkov_report: Path | None = None,
        advisor: SecondOpinion | None = None,
        critical_paths: CriticalPaths | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.content = content
        self.checkov_report = checkov_report
        self.advisor = advisor
        self.critical_paths = critical_paths or CriticalPaths(())
        self.redactor = redactor or default_redactor()

    @classmethod
    def configured(cls, config: AgentConfig, redactor: Redactor | None = None) -> SecurityAgent:
        return cls(redactor=redactor, critical_paths=config.critical_paths)

    # -- one PR -----------------------------------------------------------------------

    def review_pull(
        self,
        pr: PullRequest,
        policy: Policy | SecurityPolicy | None = None,
        *,
        codeowners: Sequence[CodeOwnerRule] = (),
        osv: OsvResult | None = None,
        commits: Sequence[Commit] = (),
        repo: str | None = None,
        content: ContentProvider | None = None,
        check_owners: bool = True,
    ) -> PullReview:
        """The PR bot's entry point: findings, gaps and checklist for one PR.

        ``check_owners``: judge code-owner approval of critical paths; False where there is
        no ownership data (a bare diff: no reviews, no CODEOWNERS).
        """
        reviewer = self._reviewer(_section(policy), content or self.content, codeowners, osv,
                                  repo, check_owners)
        failures, unreadable = self._checkov(PrRef.of(pr, repo), reviewer.factory)
        mine = _checkov_by_pr(failures, [pr]).get(pr.number, [])
        review = reviewer.review(pr, commits=commits, checkov=mine)
        if unreadable:
            review.findings.append(unreadable)
        return review

    # -- the release ------------------------------------------------------------------

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        return self.review_release(inputs, policy)[0]

    def review_release(self, inputs: AgentInput,
                       policy: Policy) -> tuple[AgentReport, list[PullReview]]:
        """The report, and each PR's review (with its checklist) for callers that want it."""
        section = security_policy(policy)
        github = inputs.snapshot.github
        if github is None:
            return assemble_report(self.name, checks(True), inputs, policy, []), []
        content = self.content or (clone_reader(inputs.repo_path,
                                                max_bytes=section.max_file_bytes)
                                   if inputs.repo_path else None)
        reviewer = self._reviewer(section, content, github.codeowners, inputs.snapshot.osv,
                                  github.repository.full_name)
        release = _release_ref(github)
        failures, unreadable = self._checkov(release, reviewer.factory)
        by_pr = _checkov_by_pr(failures, github.pull_requests)
        reviews = reviewer.review_many(github.pull_requests, checkov=by_pr)
        findings = [f for r in reviews for f in r.findings]
        findings += self._commit_injection(reviewer.factory, release, github.commits)
        if unreadable:
            findings.append(unreadable)
        return self._report(inputs, policy, github, reviews, findings), reviews

    def _report(self, inputs: AgentInput, policy: Policy, github: GitHubRelease,
                reviews: Sequence[PullReview], findings: Sequence[Finding]) -> AgentReport:
        changes = sum(len(r.dependency_changes) for r in reviews)
        gaps: list[Gap] = [g for r in reviews for g in r.gaps
                           if g.source != "osv" or inputs.snapshot.osv is not None]
        report = assemble_report(self.name, checks(bool(changes)), inputs, policy, findings,
                                 metrics=_metrics(github, reviews), extra_gaps=gaps)
        if not changes:
            report.coverage.append(Coverage(source="osv", status=CoverageStatus.AVAILABLE,
                                            detail="not needed: no dependency changes"))
        usage = LlmUsage()
        for review in reviews:
            usage = usage.add(review.llm)
        report.llm = usage.model_copy(update={"notices": list(dict.fromkeys(usage.notices))})
        return report

    # -- helpers ----------------------------------------------------------------------

    def _reviewer(self, section: SecurityPolicy, content: ContentProvider | None,
                  codeowners: Sequence[CodeOwnerRule], osv: OsvResult | None,
                  repo: str | None, check_owners: bool = True) -> PullReviewer:
        return PullReviewer(section, content=content, codeowners=codeowners, osv=osv,
                            critical_paths=self.critical_paths, advisor=self.advisor,
                            check_owners=check_owners,
                            redactor=self.redactor, repo=repo)

    def _checkov(self, ref: PrRef, factory: FindingFactory
                 ) -> tuple[list[CheckovFailure], Finding | None]:
        if self.checkov_report is None:
            return [], None
        try:
            return load_checkov_report(self.checkov_report), None
        except CheckovReportError as exc:
            return [], factory.unreadable(ref, str(self.checkov_report),
                                          "a checkov JSON or SARIF report", str(exc))

    @staticmethod
    def _commit_injection(factory: FindingFactory, ref: PrRef,
                          commits: Sequence[Commit]) -> list[Finding]:
        """Commit messages are the release's, not one PR's: scanned once here."""
        detections = [d for c in commits
                      for d in detect(c.message, origin=TextOrigin.COMMIT_MESSAGE,
                                      ref=c.sha[:12])]
        return security_injection_findings(factory, ref, detections, commits)


def _section(policy: Policy | SecurityPolicy | None) -> SecurityPolicy:
    if isinstance(policy, SecurityPolicy):
        return policy
    return security_policy(policy) if policy is not None else SecurityPolicy()


def _metrics(github: GitHubRelease,
             reviews: Sequence[PullReview]) -> dict[str, float | int | str | None]:
    totals: dict[str, int] = {}
    for review in reviews:
        for key, value in review.metrics.items():
            totals[key] = totals.get(key, 0) + value
    checklists = [r.checklist.markdown() for r in reviews if r.checklist.items]
    return {
        "pull_requests": len(github.pull_requests),
        **totals,
        "checklist_items": sum(len(r.checklist.items) for r in reviews),
        "checklist": "\n\n".join(checklists) or None,
    }
