"""Evidence a human can click: file lines at a PR's head, plans, alarms, deployments, pages.

Added and context lines link to the PR head's blob; removed lines have only old-file
numbers, so they link to the PR's diff instead.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from agents.models import Evidence, EvidenceKind
from connectors.cloudwatch.models import Alarm, MetricSeries
from connectors.confluence.models import ConfluencePage
from connectors.github.models import Deployment, PullRequest


class Links:
    def __init__(self, repo: str | None, repo_url: str | None, region: str | None) -> None:
        self.repo = repo
        self.repo_url = repo_url.rstrip("/") if repo_url else None
        self.region = region

    def pr_label(self, pr: PullRequest) -> str:
        return f"{self.repo}#{pr.number}" if self.repo else f"#{pr.number}"

    def pr(self, pr: PullRequest, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.PULL_REQUEST, ref=self.pr_label(pr), url=pr.html_url,
                        detail=detail)

    def file(self, pr: PullRequest, path: str, line: int | None = None,
             detail: str | None = None) -> Evidence:
        """A new-file line (or the whole file) at the PR's head commit."""
        ref = f"{path}:{line}" if line else path
        url = (f"{self.repo_url}/blob/{pr.head_sha}/{quote(path)}" + (f"#L{line}" if line else "")
               if self.repo_url else pr.html_url)
        return Evidence(kind=EvidenceKind.FILE, ref=f"{ref} ({self.pr_label(pr)})", url=url,
                        path=path, line=line, detail=detail)

    def removed(self, pr: PullRequest, path: str, old_line: int,
                detail: str | None = None) -> Evidence:
        """A removed line: only the PR's diff still shows it."""
        return Evidence(kind=EvidenceKind.FILE,
                        ref=f"{path}:{old_line} (removed, {self.pr_label(pr)})",
                        url=f"{pr.html_url}/files", path=path, line=old_line, detail=detail)

    # A plan or other local input is named by its file name: where it sits on the machine
    # that ran the report means nothing to a reader, and must not leak into a shared report.
    @staticmethod
    def plan(plan: Path, address: str | None = None, detail: str | None = None) -> Evidence:
        ref = f"{plan.name}: {address}" if address else plan.name
        return Evidence(kind=EvidenceKind.PLAN, ref=ref, path=plan.name, detail=detail)

    @staticmethod
    def local(path: Path, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.CONFIG, ref=path.name, path=path.name, detail=detail)

    def alarm(self, alarm: Alarm, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.ALARM, ref=alarm.name, url=self._alarm_url(alarm.name),
                        detail=detail)

    def series(self, series: MetricSeries, detail: str | None = None) -> Evidence:
        url = (f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region="
               f"{self.region}#metricsV2" if self.region else None)
        return Evidence(kind=EvidenceKind.METRIC, ref=f"{series.service}: {series.label}",
                        url=url, detail=detail)

    def deployment(self, deployment: Deployment, detail: str | None = None) -> Evidence:
        url = (f"{self.repo_url}/deployments/{quote(deployment.environment)}"
               if self.repo_url else None)
        return Evidence(kind=EvidenceKind.DEPLOYMENT,
                        ref=f"deployment {deployment.id} ({deployment.environment}, "
                            f"{deployment.sha[:12]})",
                        url=url, detail=detail)

    @staticmethod
    def page(page: ConfluencePage, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.PAGE, ref=page.title, url=page.url, detail=detail)

    @staticmethod
    def config(ref: str, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.CONFIG, ref=ref, detail=detail)

    def _alarm_url(self, name: str) -> str | None:
        if not self.region:
            return None
        return (f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region="
                f"{self.region}#alarmsV2:alarm/{quote(name, safe='')}")
