"""One PR's security review: every scanner over its diff, findings, gaps and checklist.

``PullReviewer`` holds what is expensive to build (detect-secrets plugins, the gitleaks
catalogue, compiled globs, the OSV index) so a release of a thousand PRs builds them
once. Per PR, each changed file is parsed once and its post-change content read at most
once, and only for the file kinds that need it. The code scanners (our rules on the
engine, ruff's bandit checks) start once per batch: ``review`` is a batch of one PR,
``review_many`` collects every PR's files first and scans them in one run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from agents.iac.checkov import CheckovFailure
from agents.iac.terraform_rules import RuleSettings
from agents.models import Finding, LlmUsage
from agents.rootcause import merge_root_causes
from agents.security.checklist import SecurityChecklist, checklist_for
from agents.security.code_scan import CodeScanner, CodeTargets, engine_language
from agents.security.content import ContentProvider, PostChange, post_change
from agents.security.critical_paths import (
    CriticalPaths,
    OwnerIndex,
    critical_path_findings,
)
from agents.security.dependencies import (
    DependencyChange,
    DependencyScan,
    OsvIndex,
    advisory_findings,
    read_manifest,
)
from agents.security.dependencies.manifests import LINE_BASED, manifest_kind
from agents.security.diff import FileDiff, file_diff, mask_lines, render_patch
from agents.security.findings import FindingFactory, PrRef, root_keys
from agents.security.iac import checkov_findings, terraform_findings
from agents.security.injection_scan import injection_detections, security_injection_findings
from agents.security.llm_review import SecondOpinion, llm_review
from agents.security.policy import SecurityPolicy
from agents.security.sast import PythonSource, RuffRunner, hunk_sources
from agents.security.secrets import SecretScanner, secret_findings
from agents.security.trojan import trojan_findings, trojan_hits
from agents.security.workflows import WorkflowSettings, is_workflow, workflow_findings
from connectors.github.models import CodeOwnerRule, Commit, PullRequest
from connectors.osv.models import OsvResult
from connectors.provenance import Gap
from governance.redact import Redactor, default_redactor

__all__ = ["PullReview", "PullReviewer"]

class PullReview(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    pull_request: int
    url: str
    findings: list[Finding] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    checklist: SecurityChecklist
    dependency_changes: list[DependencyChange] = Field(default_factory=list)
    metrics: dict[str, int] = Field(default_factory=dict)
    llm: LlmUsage = Field(default_factory=LlmUsage)


def _is_python(path: str) -> bool:
    return PurePosixPath(path).suffix in (".py", ".pyi")


def _is_terraform(path: str) -> bool:
    return PurePosixPath(path).suffix == ".tf"


def _needs_content(path: str) -> bool:
    kind = manifest_kind(path)
    return (_is_python(path) or _is_terraform(path) or is_workflow(path)
            or engine_language(path, "apiVersion: kind:") is not None
            or (kind is not None and kind not in LINE_BASED))


@dataclass
class _Pass:
    """What one PR's review collects while it walks the files."""

    ref: PrRef
    pr: PullRequest
    commits: Sequence[Commit] = ()
    checkov: Sequence[CheckovFailure] = ()
    findings: list[Finding] = field(default_factory=list)
    diffs: list[FileDiff] = field(default_factory=list)
    dependencies: DependencyScan = field(default_factory=DependencyScan)
    unseen: list[str] = field(default_factory=list)  # no or truncated patch
    partial: dict[str, str] = field(default_factory=dict)  # path -> why only hunks were read
    posts: dict[str, PostChange] = field(default_factory=dict)
    masked: dict[str, dict[int, str]] = field(default_factory=dict)  # lines with secrets
    metrics: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, by: int = 1) -> None:
        self.metrics[name] = self.metrics.get(name, 0) + by


class PullReviewer:
    def __init__(
        self,
        policy: SecurityPolicy | None = None,
        *,
        content: ContentProvider | None = None,
        codeowners: Sequence[CodeOwnerRule] = (),
        osv: OsvResult | None = None,
        critical_paths: CriticalPaths | None = None,
        advisor: SecondOpinion | None = None,
        redactor: Redactor | None = None,
        repo: str | None = None,
        check_owners: bool = True,
    ) -> None:
        self.policy = policy or SecurityPolicy()
        # Code-owner approval is only judged where ownership data exists (a PR's reviews,
        # or a CODEOWNERS file); a bare diff has neither.
        self.check_owners = check_owners
        self.content = content
        self.repo = repo
        self.advisor = advisor if self.policy.llm_review else None
        self.redactor = redactor or default_redactor()
        self.factory = FindingFactory(self.redactor, max_evidence=self.policy.max_evidence)
        self.secrets = SecretScanner(entropy=self.policy.secret_entropy_plugins)
        self.code = CodeScanner(self.factory, RuffRunner(
            min_severity=self.policy.sast_min_severity,
            min_confidence=self.policy.sast_min_confidence,
            skip_tests=self.policy.sast_skip_tests),
            disabled=frozenset(self.policy.code_disabled_rules))
        self.owners = OwnerIndex(codeowners)
        self.critical = critical_paths or CriticalPaths(())
        self.osv = OsvIndex(osv)
        self.rules = RuleSettings(web_ports=frozenset(self.policy.web_ports),
                                  disabled=frozenset(self.policy.iac_disabled_rules))
        self.workflow_settings = WorkflowSettings(
            first_party_owners=frozenset(o.lower() for o in self.policy.first_party_action_owners),
            default_token_permissions=self.policy.default_token_permissions)
        self.teams = {team.lower(): frozenset(m.lower().lstrip("@") for m in members)
                      for team, members in self.policy.team_members.items()}

    # -- per file ---------------------------------------------------------------------

    def _post(self, work: _Pass, diff: FileDiff) -> PostChange:
        if diff.path not in work.posts:
            work.posts[diff.path] = post_change(diff, self.content,
                                                max_bytes=self.policy.max_file_bytes)
        return work.posts[diff.path]

    def _python(self, work: _Pass, diff: FileDiff, post: PostChange,
                targets: CodeTargets) -> None:
        work.count("python_files")
        number = work.ref.number
        if post.text is not None:
            try:
                ast.parse(post.text)
            except (SyntaxError, ValueError) as exc:
                work.findings.append(self.factory.unreadable(work.ref, diff.path, "Python",
                                                             f"{type(exc).__name__}"))
            else:
                targets.add_python(number, [PythonSource(diff.path, post.text,
                                                         diff.added_numbers)])
                return
        sources, failed = hunk_sources(diff)
        targets.add_python(number, sources)
        work.count("python_hunk_only_files")
        if failed:
            work.partial[diff.path] = (f"{post.why or 'the file does not parse'}; ruff could "
                                       f"not read {failed} hunk(s) on their own")

    def _file(self, work: _Pass, diff: FileDiff, targets: CodeTargets) -> None:
        ref, factory = work.ref, self.factory
        work.count("files_scanned")
        work.count("added_lines", len(diff.added))
        post = self._post(work, diff) if _needs_content(diff.path) else None
        secrets = self.secrets.scan(diff, post.text if post is not None else None)
        if secrets:
            work.masked[diff.path] = {hit.line: hit.masked_line for hit in secrets}
        work.findings += secret_findings(factory, ref, diff.path, secrets)
        work.findings += trojan_findings(factory, ref, diff.path, trojan_hits(diff))
        if post is not None and _is_python(diff.path):
            self._python(work, diff, post, targets)
        if targets.add_file(work.ref.number, diff, post.text if post is not None else None):
            work.count("code_files")
        if post is not None and _is_terraform(diff.path):
            outcome = terraform_findings(factory, ref, diff, post, self.rules)
            work.findings += outcome.findings
            if outcome.fallback:
                work.partial[diff.path] = f"Terraform rules on diff lines only: {outcome.fallback}"
        if post is not None and is_workflow(diff.path):
            found, fallback = workflow_findings(factory, ref, diff, post, self.workflow_settings)
            work.findings += found
            if fallback:
                work.partial[diff.path] = f"workflow rules on diff lines only: {fallback}"
        if manifest_kind(diff.path) is not None:
            work.dependencies.extend(read_manifest(ref.number, diff, post))

    # -- per PR, and per batch of PRs ------------------------------------------------------

    def review(self, pr: PullRequest, *, commits: Sequence[Commit] = (),
               checkov: Sequence[CheckovFailure] = ()) -> PullReview:
        return self.review_many([pr], commits={pr.number: commits},
                                checkov={pr.number: checkov})[0]

    def review_many(self, prs: Sequence[PullRequest], *,
                    commits: Mapping[int, Sequence[Commit]] | None = None,
                    checkov: Mapping[int, Sequence[CheckovFailure]] | None = None
                    ) -> list[PullReview]:
        """Each PR's review; the code scanners run once over all of their files."""
        targets = CodeTargets()
        works = [self._collect(pr, targets, (commits or {}).get(pr.number, ()),
                               (checkov or {}).get(pr.number, ())) for pr in prs]
        scanned = self.code.run(targets, {w.ref.number: w.ref for w in works})
        reviews = []
        for work in works:
            work.findings += scanned.findings.get(work.ref.number, [])
            for path, why in scanned.partial.get(work.ref.number, {}).items():
                work.partial.setdefault(path, why)
            reviews.append(self._finish(work, scanned.notices))
        return reviews

    def _collect(self, pr: PullRequest, targets: CodeTargets, commits: Sequence[Commit],
                 checkov: Sequence[CheckovFailure]) -> _Pass:
        work = _Pass(PrRef.of(pr, self.repo), pr, commits, checkov)
        for changed in pr.files:
            if changed.status == "removed":
                continue
            diff = file_diff(changed)
            if changed.patch_truncated or (changed.patch is None
                                           and changed.additions + changed.deletions > 0):
                work.unseen.append(diff.path)  # lines changed that nobody sent us
            work.diffs.append(diff)
            self._file(work, diff, targets)
        return work

    def _finish(self, work: _Pass, notices: Sequence[str]) -> PullReview:
        ref, pr = work.ref, work.pr
        gaps = self._dependencies(work)
        detections = injection_detections(ref, pr.title, pr.body, work.diffs, work.commits)
        work.findings += security_injection_findings(self.factory, ref, detections,
                                                     work.commits)
        critical: list[Finding] = []
        critical_gaps: list[Gap] = []
        if self.check_owners:
            critical, critical_gaps = critical_path_findings(
                self.factory, pr, ref, self.critical, self.owners, self.teams)
        elif any(self.critical.labels(f.path) for f in pr.files):
            critical_gaps = [Gap(source="repository", what=f"{ref.label}: code-owner approval",
                                 why="not checked: no reviews and no CODEOWNERS file to "
                                     "check critical paths against")]
        work.findings += critical
        work.findings += self._checkov(ref, work.checkov)
        work.findings = merge_root_causes(work.findings, root_keys)
        usage = self._llm(work, work.diffs, pr)
        if notices:
            usage = usage.model_copy(update={"notices": [*usage.notices, *notices]})
        return PullReview(
            pull_request=pr.number, url=pr.html_url, findings=work.findings,
            gaps=[*self._gaps(work), *gaps, *critical_gaps],
            checklist=checklist_for(ref.label, work.findings),
            dependency_changes=work.dependencies.changes, metrics=work.metrics, llm=usage)

    def _dependencies(self, work: _Pass) -> list[Gap]:
        scan = work.dependencies
        work.count("dependency_changes", len(scan.changes))
        work.count("unpinned_dependencies", len(scan.unpinned))
        for path, error in scan.errors:
            kind = manifest_kind(path)
            work.findings.append(self.factory.unreadable(
                work.ref, path, f"a {kind.value if kind else 'dependency'} file", error))
        for path, why in scan.not_parsed:
            work.partial.setdefault(path, f"dependency changes not parsed: {why}")
        findings, gaps = advisory_findings(self.factory, work.ref, scan.changes, self.osv)
        work.findings += findings
        return gaps

    def _checkov(self, ref: PrRef, failures: Sequence[CheckovFailure]) -> list[Finding]:
        by_path: dict[str, list[CheckovFailure]] = {}
        for failure in failures:
            by_path.setdefault(failure.path, []).append(failure)
        return [f for path, group in by_path.items()
                for f in checkov_findings(self.factory, ref, path, group)]

    def _llm(self, work: _Pass, diffs: Sequence[FileDiff], pr: PullRequest) -> LlmUsage:
        if self.advisor is None:
            notice = (["security.llm_review is on but no advisor was supplied"]
                      if self.policy.llm_review else [])
            return LlmUsage(notices=notice)
        # Lines with a detected secret are sent masked, whatever the redactor would catch.
        patches = {d.path: render_patch(d, work.masked.get(d.path, {})) for d in diffs if d.hunks}
        whole = {p: post.text for p, post in work.posts.items() if post.text is not None}
        whole.update({d.path: w for d in diffs if d.path not in whole
                      and (w := d.whole_new_file()) is not None})
        whole = {p: mask_lines(text, work.masked.get(p, {})) for p, text in whole.items()}
        review = llm_review(self.advisor, self.redactor, work.ref, work.findings, patches, whole)
        work.findings += review.findings
        return review.usage

    @staticmethod
    def _gaps(work: _Pass) -> list[Gap]:
        gaps = []
        if work.unseen:
            names = ", ".join(work.unseen[:5]) + (", …" if len(work.unseen) > 5 else "")
            gaps.append(Gap(source="github",
                            what=f"{work.ref.label}: diff of {len(work.unseen)} file(s) ({names})",
                            why="GitHub left the patch out (diff too large to send); "
                                "its lines were not scanned"))
        for path, why in sorted(work.partial.items()):
            gaps.append(Gap(source="repository", what=f"{work.ref.label}: {path}", why=why))
        return gaps

