"""Small real-model builders for the platform agent's tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.base import AgentInput
from agents.models import AgentReport, Finding
from agents.platform import PlatformAgent
from agents.platform.environments import Environments
from agents.policy import Policy
from connectors.cloudwatch.models import (
    Alarm,
    AlarmState,
    AlarmTransition,
    CloudWatchData,
    MetricSeries,
)
from connectors.confluence.models import ConfluencePage, ConfluenceSpace, PageVersion
from connectors.github.models import (
    ChangedFile,
    Commit,
    Deployment,
    DeploymentStatus,
    FileStatus,
    GitHubRelease,
    PullRequest,
    Repository,
)
from connectors.jira.models import JiraRelease
from connectors.provenance import SourceProvenance
from connectors.snapshot import SnapshotBody, SnapshotRequest
from tests.configs import environments as shipped_environments

REPO = "acme/payments-api"
NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)  # a Monday
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform"
NO_ENVIRONMENTS = Environments(groups=[])


def whole_file(text: str) -> str:
    """The patch GitHub sends for a new file."""
    lines = text.splitlines()
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)


def changed(path: str, patch: str | None, *, status: FileStatus = "modified") -> ChangedFile:
    added = sum(1 for row in (patch or "").splitlines() if row.startswith("+"))
    removed = sum(1 for row in (patch or "").splitlines() if row.startswith("-"))
    return ChangedFile(path=path, previous_path=None, status=status, additions=added,
                       deletions=removed, patch=patch, patch_truncated=False)


def added_file(path: str, text: str) -> ChangedFile:
    return changed(path, whole_file(text), status="added")


def pr(number: int = 1, files: Sequence[ChangedFile] = (), *,
       merged_at: datetime | None = NOW - timedelta(days=2),
       created_at: datetime | None = None, merge_sha: str | None = None) -> PullRequest:
    return PullRequest(
        number=number, title=f"PAY-{number} infra change", body=None, author="alice",
        labels=(), head_ref=f"feature/{number}", head_sha=f"{number:040x}", base_ref="main",
        merged_at=merged_at, merge_commit_sha=merge_sha,
        html_url=f"https://github.com/{REPO}/pull/{number}",
        created_at=created_at or NOW - timedelta(days=5),
        additions=sum(f.additions for f in files), deletions=sum(f.deletions for f in files),
        changed_files=len(files), files=tuple(files))


def deployment(ident: int, at: datetime, *, sha: str | None = None, state: str = "success",
               environment: str = "production", minutes: int = 10) -> Deployment:
    statuses = (DeploymentStatus(state=state, created_at=at + timedelta(minutes=minutes),
                                 description=None),
                DeploymentStatus(state="in_progress", created_at=at, description=None))
    return Deployment(id=ident, environment=environment, sha=sha or f"{ident:040x}",
                      ref="main", created_at=at, creator="deploy-bot", statuses=statuses)


def daily_deployments(start: datetime, days: int, *, first_id: int = 1,
                      every: int = 1) -> list[Deployment]:
    return [deployment(first_id + n, start + timedelta(days=n * every))
            for n in range(days // every)]


def alarm(name: str = "payments-api-5xx", state: AlarmState = "OK", *,
          history: Sequence[AlarmTransition] | None = (), reason: str = "Threshold crossed",
          updated: datetime = NOW - timedelta(hours=1)) -> Alarm:
    return Alarm(name=name, arn=f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}",
                 state=state, state_reason=reason, state_updated_at=updated,
                 metric_name="HTTPCode_Target_5XX_Count", namespace="AWS/ApplicationELB",
                 threshold=10.0, comparison="GreaterThanThreshold",
                 history=list(history) if history is not None else None)


def transition(at: datetime, to: AlarmState = "ALARM") -> AlarmTransition:
    return AlarmTransition(at=at, from_state="OK", to_state=to, summary=f"Alarm updated to {to}")


def series(query_id: str, label: str, values: Sequence[float], *, end: datetime = NOW,
           period: timedelta = timedelta(hours=1),
           service: str = "payments-api") -> MetricSeries:
    stamps = [end - period * (len(values) - 1 - i) for i in range(len(values))]
    return MetricSeries(query_id=query_id, service=service, label=label, timestamps=stamps,
                        values=list(values), status="Complete")


def cloudwatch(alarms: Sequence[Alarm] | None = (), series_: Sequence[MetricSeries] = ()
               ) -> CloudWatchData:
    return CloudWatchData(region="eu-west-1", window_start=NOW - timedelta(days=7),
                          window_end=NOW, alarms=list(alarms) if alarms is not None else None,
                          series=list(series_))


def page(title: str, labels: Sequence[str] = ("runbook",), body: str = "") -> ConfluencePage:
    return ConfluencePage(id=str(abs(hash(title)) % 10_000), title=title, space_key="OPS",
                          version=PageVersion(number=3, when=NOW - timedelta(days=30)),
                          last_modified=NOW - timedelta(days=30), labels=list(labels),
                          url=f"https://acme.atlassian.net/wiki/spaces/OPS/pages/{title}",
                          body_text=body)


def space(pages: Sequence[ConfluencePage] = ()) -> ConfluenceSpace:
    return ConfluenceSpace(space="OPS", cql="space = OPS", pages=list(pages))


def snapshot(prs: Sequence[PullRequest] = (), *, deployments: Sequence[Deployment] = (),
             commits: Sequence[Commit] = (), github: bool = True,
             cloud: CloudWatchData | None = None, confluence: ConfluenceSpace | None = None,
             release_date: date | None = None, created_at: datetime = NOW) -> SnapshotBody:
    provenance = []
    release = None
    if github:
        provenance.append(SourceProvenance(source="github"))
        release = GitHubRelease(
            repository=Repository(full_name=REPO, default_branch="main",
                                  html_url=f"https://github.com/{REPO}", visibility="private"),
            base="v1.3", head="v1.4", commits=tuple(commits), pull_requests=tuple(prs),
            deployments=tuple(deployments))
    if cloud is not None:
        provenance.append(SourceProvenance(source="cloudwatch"))
    if confluence is not None:
        provenance.append(SourceProvenance(source="confluence"))
    jira = None
    if release_date is not None:
        provenance.append(SourceProvenance(source="jira"))
        jira = JiraRelease(project="PAY", fix_version="1.4", release_date=release_date,
                           jql="project = PAY AND fixVersion = 1.4", issues=[])
    return SnapshotBody(created_at=created_at, subject=f"{REPO} 1.4",
                        asked=SnapshotRequest(repo=REPO), provenance=provenance,
                        github=release, cloudwatch=cloud, confluence=confluence, jira=jira)


def run(body: SnapshotBody, platform: dict[str, Any] | None = None, *,
        plans: Sequence[Path] = (), repo_path: Path | None = None,
        environments: Environments | None = NO_ENVIRONMENTS) -> AgentReport:
    policy = Policy.model_validate({"platform": platform or {}})
    inputs = AgentInput(snapshot=body, repo_path=repo_path, plan_files=list(plans))
    chosen = shipped_environments() if environments is None else environments
    return PlatformAgent(environments=chosen).analyse(inputs, policy)


def of(report: AgentReport, category: str) -> list[Finding]:
    return [f for f in report.findings if f.category == category]
