"""``ConfluencePublisher``: the only code that writes to Confluence (one page per period).

Separate from the read-only connector on purpose: its own ``atlassian.Confluence``
client on its own session (the connector's guarded session refuses every write), its
own optional credential (``CONFLUENCE_PUBLISH_*``), and the publishing kill switch
asked before the first request and before every write.

One publish finds the page by title in the space, then creates it under the parent
page, or updates it through Confluence versioning (PUT with ``version.number + 1``).
It never overwrites a newer human edit: when the page's current version is not the
one we last published and its last editor is not us, it stops and reports a conflict
before writing anything (docs/portfolio-summary.md). Every path is absolute, so the
library's path rewriting (which differs between its versions) never applies.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

import requests
from atlassian import Confluence
from pydantic import BaseModel

from connectors.confluence.settings import ConfluenceSettings
from connectors.errors import ConnectorError
from governance.killswitch import Action
from publishers.base import PublishError

LABELS = ("advisory", "portfolio-summary")
Outcome = Literal["created", "updated", "unchanged", "withdrawn", "conflict"]
Raw = dict[str, Any]


class Gate(Protocol):
    """``governance.killswitch.KillSwitch`` or anything that refuses the same way."""

    def ensure_allowed(self, agent: str | None = None, action: Action = "run") -> None: ...


class PublishConflict(PublishError):
    """Confluence refused a write because the page changed after we read it (HTTP 409)."""


@dataclass(frozen=True)
class PageTarget:
    space: str
    parent: str  # title of the page the summary pages live under
    title: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    media_type: str = "image/svg+xml"


@dataclass(frozen=True)
class PageContent:
    body: str  # Confluence storage format (XHTML)
    attachments: tuple[Attachment, ...] = ()
    labels: tuple[str, ...] = LABELS

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256(self.body.encode("utf-8"))
        for item in self.attachments:
            digest.update(item.filename.encode("utf-8") + item.data)
        return digest.hexdigest()


class LastPublished(BaseModel):
    """What we wrote last time (from the audit log): the baseline for conflict checks."""

    page_id: str
    version: int
    by: str | None = None
    content_hash: str | None = None


class PublishOutcome(BaseModel):
    outcome: Outcome
    site: str
    space: str
    title: str
    page_id: str | None = None
    version: int | None = None
    by: str | None = None  # who Confluence says wrote that version (our service identity)
    url: str | None = None
    content_hash: str
    reason: str = ""
    requests: list[str]

    @property
    def where(self) -> str:
        return f"confluence: {self.url or self.title} (version {self.version})"


# --- settings and client --------------------------------------------------------------

def publish_settings(environ: Mapping[str, str] | None = None) -> ConfluenceSettings:
    """``CONFLUENCE_PUBLISH_*`` (a write-capable credential) if set, else ``CONFLUENCE_*``."""
    env = os.environ if environ is None else environ
    if not (env.get("CONFLUENCE_PUBLISH_URL") or env.get("CONFLUENCE_URL")):
        raise ConnectorError("confluence: CONFLUENCE_URL (or CONFLUENCE_PUBLISH_URL) is not set")
    prefix = "CONFLUENCE_PUBLISH_" if env.get("CONFLUENCE_PUBLISH_URL") else "CONFLUENCE_"
    return ConfluenceSettings.from_env(env, prefix=prefix)


def build_client(settings: ConfluenceSettings) -> Any:
    """A plain `atlassian.Confluence`: no guard (it writes), no retries (writes must not repeat)."""
    if settings.email and settings.api_token and (settings.is_cloud or settings.pat is None):
        auth: dict[str, Any] = {"username": settings.email,
                                "password": settings.api_token.get_secret_value()}
    else:
        assert settings.pat is not None  # guaranteed by ConfluenceSettings validation
        auth = {"token": settings.pat.get_secret_value()}
    client: Any = Confluence(  # type: ignore[no-untyped-call]
        url=settings.base_url, cloud=settings.is_cloud, session=requests.Session(),
        timeout=settings.timeout, backoff_and_retry=False, retry_with_header=False, **auth)
    return client


# --- the publisher ------------------------------------------------------------------------


@dataclass
class _Calls:
    """The requests one publish made, in order, for the record."""

    made: list[str] = field(default_factory=list)


class ConfluencePublisher:
    name = "confluence"

    def __init__(self, client: Any, gate: Gate, *, site: str) -> None:
        self.client = client
        self.gate = gate
        self.site = site.rstrip("/")  # where rest/api lives (Cloud: …/wiki)

    @classmethod
    def from_env(cls, gate: Gate, environ: Mapping[str, str] | None = None
                 ) -> ConfluencePublisher:
        try:
            settings = publish_settings(environ)
        except ConnectorError as exc:
            raise PublishError(f"cannot publish to Confluence: {exc}") from None
        return cls(build_client(settings), gate, site=settings.base_url)

    # -- entry points ---------------------------------------------------------------------

    def publish_page(self, target: PageTarget, content: PageContent,
                     last: LastPublished | None) -> PublishOutcome:
        """Create or update the period's page; a newer human edit stops it (``conflict``)."""
        calls = _Calls()
        self._allowed()  # before the very first request
        page = self._find(target.space, target.title, calls)
        if page is None:
            parent = self._find(target.space, target.parent, calls)
            if parent is None:
                raise PublishError(f"confluence: no page titled {target.parent!r} in space "
                                   f"{target.space} to publish under")
            created = self._create(target, content, str(parent["id"]), calls)
            self._finish(created, content, calls, fresh=True)
            return self._outcome("created", target, content, created, calls)
        if refusal := conflict(page, last):
            return self._outcome("conflict", target, content, page, calls, reason=refusal)
        if last and last.content_hash == content.content_hash:
            return self._outcome("unchanged", target, content, page, calls,
                                 reason="the page already shows this content")
        try:
            updated = self._update(page, target, content, calls)
        except PublishConflict as exc:  # someone saved between our read and our write
            return self._outcome("conflict", target, content, page, calls, reason=str(exc))
        self._finish(updated, content, calls, fresh=False)
        return self._outcome("updated", target, content, updated, calls)

    def withdraw_page(self, target: PageTarget, body: str, last: LastPublished | None
                      ) -> PublishOutcome:
        """Replace a rejected draft's content by the notice ``body`` (same conflict rule)."""
        calls = _Calls()
        content = PageContent(body=body)
        self._allowed()
        page = self._find(target.space, target.title, calls)
        if page is None:
            return PublishOutcome(outcome="withdrawn", site=self.site, space=target.space,
                                  title=target.title, content_hash=content.content_hash,
                                  reason="no draft page to withdraw", requests=calls.made)
        if refusal := conflict(page, last):
            return self._outcome("conflict", target, content, page, calls, reason=refusal)
        try:
            updated = self._update(page, target, content, calls)
        except PublishConflict as exc:
            return self._outcome("conflict", target, content, page, calls, reason=str(exc))
        return self._outcome("withdrawn", target, content, updated, calls)

    # -- steps ------------------------------------------------------------------------------

    def _find(self, space: str, title: str, calls: _Calls) -> Raw | None:
        params = {"title": title, "spaceKey": space, "expand": "version"}
        body = self._call("GET", "rest/api/content", calls, params=params)
        results = body.get("results")
        if not isinstance(results, list):
            raise PublishError("confluence: malformed content search (no results)")
        pages = [r for r in results if isinstance(r, dict) and r.get("type", "page") == "page"]
        return pages[0] if pages else None

    def _create(self, target: PageTarget, content: PageContent, parent_id: str,
                calls: _Calls) -> Raw:
        data = {"type": "page", "title": target.title, "space": {"key": target.space},
                "ancestors": [{"id": parent_id}], "body": _storage(content.body)}
        return self._call("POST", "rest/api/content", calls, data=data, write=True)

    def _update(self, page: Raw, target: PageTarget, content: PageContent,
                calls: _Calls) -> Raw:
        number = version_of(page) + 1  # Confluence refuses (409) if someone got there first
        data = {"id": str(page["id"]), "type": "page", "title": target.title,
                "space": {"key": target.space}, "body": _storage(content.body),
                "version": {"number": number, "message": "Release Risk Advisor update"}}
        return self._call("PUT", f"rest/api/content/{page['id']}", calls, data=data, write=True)

    def _finish(self, page: Raw, content: PageContent, calls: _Calls, *, fresh: bool) -> None:
        """Labels, then the charts the body shows (content-addressed: new names only)."""
        page_id = str(page["id"])
        labels = [{"prefix": "global", "name": name} for name in content.labels]
        self._call("POST", f"rest/api/content/{page_id}/label", calls, data=labels, write=True)
        present = set() if fresh else self._attachment_names(page_id, calls)
        for item in content.attachments:
            if item.filename not in present:
                self._attach(page_id, item, calls)

    def _attachment_names(self, page_id: str, calls: _Calls) -> set[str]:
        body = self._call("GET", f"rest/api/content/{page_id}/child/attachment", calls,
                          params={"limit": 200})
        return {str(r.get("title")) for r in body.get("results") or [] if isinstance(r, dict)}

    def _attach(self, page_id: str, item: Attachment, calls: _Calls) -> None:
        files = {"file": (item.filename, item.data, item.media_type)}
        headers = {"X-Atlassian-Token": "no-check", "Accept": "application/json"}
        self._call("POST", f"rest/api/content/{page_id}/child/attachment", calls,
                   files=files, headers=headers, form={"minorEdit": "true"}, write=True)

    # -- one request -----------------------------------------------------------------------

    def _allowed(self) -> None:
        self.gate.ensure_allowed(action="publish")  # KillSwitchEngaged propagates: no request

    def _call(self, method: str, path: str, calls: _Calls, *, params: dict[str, Any] | None = None,
              data: Any = None, files: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, form: dict[str, str] | None = None,
              write: bool = False) -> Raw:
        if write:
            self._allowed()
        query = f"?{urlencode(params)}" if params else ""
        calls.made.append(f"{method} /{path}{query}")
        try:
            response = self.client.request(
                method, path=f"{self.site}/{path}", params=params,
                data=form if files else data, files=files, headers=headers, absolute=True,
                advanced_mode=True)
        except requests.RequestException as exc:
            raise PublishError(f"confluence: {method} /{path} failed: {type(exc).__name__}"
                               ) from None
        return _json(response, f"{method} /{path}")

    def _outcome(self, outcome: Outcome, target: PageTarget, content: PageContent, page: Raw,
                 calls: _Calls, reason: str = "") -> PublishOutcome:
        return PublishOutcome(
            outcome=outcome, site=self.site, space=target.space, title=target.title,
            page_id=str(page.get("id")), version=version_of(page), by=editor_of(page),
            url=page_url(page, self.site), content_hash=content.content_hash, reason=reason,
            requests=calls.made)


# --- reading Confluence's answers ----------------------------------------------------------


def conflict(page: Raw, last: LastPublished | None) -> str | None:
    """Why updating ``page`` would overwrite someone else's work, or None when it is ours."""
    current, editor = version_of(page), editor_of(page)
    if last is None or str(page.get("id")) != last.page_id:
        return (f"page {page.get('id')} exists (version {current}, last edited by "
                f"{editor or 'unknown'}) but we have no record of publishing it")
    if current > last.version and (editor is None or editor != last.by):
        return (f"page {last.page_id} is at version {current}, edited by {editor or 'unknown'} "
                f"after our version {last.version}")
    return None


def version_of(page: Raw) -> int:
    number = (page.get("version") or {}).get("number")
    if not isinstance(number, int):
        raise PublishError(f"confluence: page {page.get('id')} came without a version number")
    return number


def editor_of(page: Raw) -> str | None:
    """A stable id of the version's author: accountId (Cloud), userKey or username (Server)."""
    by = (page.get("version") or {}).get("by") or {}
    for key in ("accountId", "userKey", "username"):
        if by.get(key):
            return str(by[key])
    return None


def page_url(page: Raw, site: str) -> str | None:
    links = page.get("_links") or {}
    webui = links.get("webui")
    return f"{links.get('base') or site}{webui}" if webui else None


def _storage(body: str) -> dict[str, Any]:
    return {"storage": {"value": body, "representation": "storage"}}


def _json(response: requests.Response, what: str) -> Raw:
    if response.status_code == 409:
        raise PublishConflict(f"confluence: {what}: HTTP 409, the page changed meanwhile")
    if not response.ok:
        raise PublishError(f"confluence: {what}: HTTP {response.status_code}"
                           + (f": {detail}" if (detail := _message(response)) else ""))
    try:
        body = response.json()
    except ValueError:
        raise PublishError(f"confluence: {what}: the answer is not JSON") from None
    return body if isinstance(body, dict) else {"results": body}


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message or "").split())[:200]
