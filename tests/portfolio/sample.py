"""A small portfolio (PAY: one late epic, blocked and stale work, a throughput drop) and
the helpers the portfolio-summary tests share: roles, a snapshot file, a summary, a
Confluence client that records every request without any network."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agents.base import AgentInput
from agents.policy import Policy
from agents.portfolio import PortfolioAgent
from agents.portfolio.report import PortfolioSummary
from connectors.snapshot import Snapshot
from tests.agents.portfolio.factories import AS_OF, epic, issue, snapshot, weekly_done

ROLES = """roles:
  admin: [ada]
  release-approver: [rita]
  portfolio-approver: [paula]
"""
SITE = "https://acme.atlassian.net/wiki"
TITLE = "Portfolio summary — 2024-06-01"
ADVISOR_ACCOUNT = "712020:4f9c1b2e-5d3a-4c7b-9e8f-1a2b3c4d5e6f"


def issues() -> list[Any]:
    return [epic("PAY-1", labels=["target-2024-06-10"], summary="Refunds <b>& returns</b>"),
            *[issue(f"PAY-{n}", epic="PAY-1") for n in range(2, 12)],
            issue("PAY-12", epic="PAY-1", status="Blocked"),
            issue("PAY-13", epic="PAY-1", updated=AS_OF - timedelta(days=30)),
            epic("PAY-40", summary="Statements"),
            *[issue(f"PAY-{n}", epic="PAY-40", status="Done") for n in range(41, 44)],
            issue("PAY-44", epic="PAY-40"),
            *weekly_done("PAY", [3, 3, 3, 3, 3, 1, 0, 1])]


def snapshot_file(directory: Path) -> Path:
    path = directory / "portfolio-snapshot.json"
    Snapshot.seal(snapshot(issues())).write(path)
    return path


def summary(status: str = "approved", signer: str | None = "paula") -> PortfolioSummary:
    result = PortfolioAgent(as_of=AS_OF).run(AgentInput(snapshot=snapshot(issues())),
                                             Policy())
    return PortfolioSummary(
        subject=result.view.subject, generated_at=AS_OF, report_id="pf-0123456789ab",
        signoff_status=status, signed_off_by=signer if status != "pending_signoff" else None,
        signed_off_at="2024-06-02T09:14:00Z" if status != "pending_signoff" else None,
        snapshot_hash="sha256:abc", projects=["PAY"], overall_score=result.report.score.value,
        summary=result.report.summary or "", view=result.view, portfolio=result.report,
        gaps=result.report.gaps, llm=result.report.llm)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_environment: Path) -> Path:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    return isolated_environment


# -- a Confluence double: the REST shapes the publisher reads, in memory ---------------------


class _Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.ok = status < 400
        self._body = body
        self.text = json.dumps(body)
        self.headers: dict[str, str] = {}

    def json(self) -> Any:
        return self._body


class FakeConfluence:
    """One space with a parent page; pages keep their version and last editor."""

    def __init__(self) -> None:
        self.pages: dict[str, dict[str, Any]] = {
            "98400": {"id": "98400", "type": "page", "title": "Portfolio summaries",
                      "version": {"number": 4, "by": {"accountId": "ravi"}}, "body": ""}}
        self.requests: list[tuple[str, str]] = []
        self.attachments: dict[str, list[str]] = {}
        self.labels: dict[str, list[str]] = {}

    def request(self, method: str, path: str, **kw: Any) -> _Response:
        route = path.removeprefix(SITE)
        self.requests.append((method, route))
        handler = getattr(self, f"_{method.lower()}")
        status, body = handler(route, kw)
        return _Response(status, body)

    def human_edit(self, title: str, who: str = "mia") -> None:
        page = self.by_title(title)
        assert page is not None
        page["version"] = {"number": page["version"]["number"] + 1, "by": {"accountId": who}}

    def by_title(self, title: str) -> dict[str, Any] | None:
        return next((p for p in self.pages.values() if p["title"] == title), None)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def _get(self, route: str, kw: dict[str, Any]) -> tuple[int, Any]:
        if route.endswith("/child/attachment"):
            page_id = route.split("/")[-3]
            return 200, {"results": [{"title": n} for n in self.attachments.get(page_id, [])]}
        page = self.by_title(kw["params"]["title"])
        return 200, {"results": [self._view(page)] if page else []}

    def _post(self, route: str, kw: dict[str, Any]) -> tuple[int, Any]:
        if route.endswith("/label"):
            self.labels[route.split("/")[-2]] = [item["name"] for item in kw["data"]]
            return 200, {"results": kw["data"]}
        if route.endswith("/child/attachment"):
            name = kw["files"]["file"][0]
            self.attachments.setdefault(route.split("/")[-3], []).append(name)
            return 200, {"results": [{"title": name}]}
        page_id = str(131200 + len(self.pages))
        self.pages[page_id] = {"id": page_id, "type": "page", "title": kw["data"]["title"],
                               "version": {"number": 1, "by": {"accountId": ADVISOR_ACCOUNT}},
                               "body": kw["data"]["body"]["storage"]["value"]}
        return 200, self._view(self.pages[page_id])

    def _put(self, route: str, kw: dict[str, Any]) -> tuple[int, Any]:
        page = self.pages[route.split("/")[-1]]
        wanted = kw["data"]["version"]["number"]
        if wanted != page["version"]["number"] + 1:
            return 409, {"message": "Version must be incremented on update."}
        page["version"] = {"number": wanted, "by": {"accountId": ADVISOR_ACCOUNT}}
        page["body"] = kw["data"]["body"]["storage"]["value"]
        return 200, self._view(page)

    def _view(self, page: dict[str, Any] | None) -> dict[str, Any]:
        assert page is not None
        return {**{k: v for k, v in page.items() if k != "body"},
                "_links": {"base": SITE, "webui": f"/spaces/ENG/pages/{page['id']}"}}
