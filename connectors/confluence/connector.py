"""Read Confluence pages selected by CQL, with bodies, versions, labels and ancestors.

`atlassian.Confluence` is built on a guarded session (GET only: Confluence reads need
no POST) with the library's own retries off, so the transport's bounded, Retry-After
aware retries are the only ones. We page ``/rest/api/content/search`` ourselves by
joining ``_links.next`` to the *configured* base URL: the library's Cloud ``cql()``
requests ``/wiki/content/search`` (no ``rest/api``), its Server ``cql()`` uses
``/rest/api/search`` (search results, not content), and its pager joins relative
``next`` links to the host, dropping Cloud's ``/wiki`` context. The answer's own
``_links.base`` is never used: a server whose base URL setting names another host
would otherwise receive our next request, and our credentials, there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from atlassian import Confluence

from connectors.confluence.models import ConfluencePage, ConfluenceSpace, PageVersion
from connectors.confluence.settings import ConfluenceSettings
from connectors.confluence.storage import storage_to_text
from connectors.errors import ConnectorError
from connectors.provenance import Gap, RequestStats, SourceProvenance
from connectors.transport import GuardedAdapter, ReadOnlyPolicy, RetryPolicy, guarded_session

SOURCE = "confluence"
SEARCH = "rest/api/content/search"
EXPAND = "body.storage,version,metadata.labels,ancestors,space"
Raw = dict[str, Any]


def read_only_policy() -> ReadOnlyPolicy:
    return ReadOnlyPolicy(SOURCE)  # GET/HEAD/OPTIONS only; CQL search is a GET


def build_client(
    settings: ConfluenceSettings, stats: RequestStats, retry: RetryPolicy | None = None
) -> Any:
    """An `atlassian.Confluence` whose every request passes the read-only guard."""
    session = guarded_session(read_only_policy(), stats, retry)
    if settings.email and settings.api_token and (settings.is_cloud or settings.pat is None):
        auth: dict[str, Any] = {
            "username": settings.email,
            "password": settings.api_token.get_secret_value(),
        }
    else:
        assert settings.pat is not None  # guaranteed by ConfluenceSettings validation
        auth = {"token": settings.pat.get_secret_value()}
    # Confluence.__init__ is unannotated in atlassian-python-api (which ships py.typed).
    client: Any = Confluence(  # type: ignore[no-untyped-call]
        url=settings.base_url,
        cloud=settings.is_cloud,
        session=session,
        timeout=settings.timeout,
        backoff_and_retry=False,
        retry_with_header=False,  # else it sleeps on 429 itself, outside our budget
        **auth,
    )
    # Fail closed if a library version ever mounts its own adapter over ours.
    if not isinstance(client._session.get_adapter(settings.base_url), GuardedAdapter):
        raise RuntimeError("atlassian-python-api replaced the read-only adapter; refusing")
    return client


class ConfluenceConnector:
    source = SOURCE

    def __init__(self, settings: ConfluenceSettings, *, retry: RetryPolicy | None = None):
        self.settings = settings
        self.stats = RequestStats()
        self.client = build_client(settings, self.stats, retry)

    @classmethod
    def from_env(cls, *, retry: RetryPolicy | None = None) -> ConfluenceConnector:
        return cls(ConfluenceSettings.from_env(), retry=retry)

    def fetch_pages(
        self,
        space: str | None = None,
        label: str | None = None,
        title: str | None = None,
        ancestor: str | int | None = None,
        limit: int = 500,
    ) -> tuple[ConfluenceSpace, SourceProvenance]:
        """Pages matching all given filters, at most ``limit`` of them (a cut is a Gap)."""
        cql = build_cql(space=space, label=label, title=title, ancestor=ancestor)
        before = (self.stats.requests, self.stats.retries, self.stats.rate_limit_wait_s)
        provenance = SourceProvenance(
            source=SOURCE,
            asked={"url": self.settings.base_url, "cql": cql, "limit": limit},
        )
        run = _SearchRun(self.client, self.settings, cql)
        pages = run.pages(limit)
        provenance = provenance.model_copy(
            update={
                "requests": self.stats.requests - before[0],
                "retries": self.stats.retries - before[1],
                "rate_limit_wait_s": round(self.stats.rate_limit_wait_s - before[2], 3),
                "gaps": run.gaps,
            }
        )
        return ConfluenceSpace(space=space, cql=cql, pages=pages), provenance


def build_cql(
    *,
    space: str | None = None,
    label: str | None = None,
    title: str | None = None,
    ancestor: str | int | None = None,
) -> str:
    clauses = ["type = page"]
    if space:
        clauses.append(f"space = {_quoted(space)}")
    if label:
        clauses.append(f"label = {_quoted(label)}")
    if title:
        clauses.append(f"title = {_quoted(title)}")
    if ancestor is not None:
        if not str(ancestor).isdigit():
            raise ConnectorError(f"confluence: ancestor must be a page id, not {ancestor!r}")
        clauses.append(f"ancestor = {ancestor}")
    return " AND ".join(clauses)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Fault(Exception):
    def __init__(self, status: int | None, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


class _SearchRun:
    """One CQL search, page by page; what went missing is collected as gaps."""

    def __init__(self, client: Any, settings: ConfluenceSettings, cql: str) -> None:
        self.client = client
        self.settings = settings
        self.cql = cql
        self.gaps: list[Gap] = []

    def pages(self, limit: int) -> list[ConfluencePage]:
        found: dict[str, ConfluencePage] = {}
        size = max(1, min(self.settings.page_size, limit))
        target: tuple[str, dict[str, Any] | None] = (
            SEARCH,
            {"cql": self.cql, "expand": EXPAND, "limit": size},
        )
        while True:
            try:
                body = self.get(*target)
            except _Fault as fault:
                self.fault(fault, first=not found)
                break
            for raw in body["results"]:
                self.add(found, raw, self.settings.base_url)
            following = (body.get("_links") or {}).get("next")
            if len(found) >= limit and following:
                why = f"stopped at limit={limit}; more pages match"
                self.gaps.append(Gap(source=SOURCE, what=f"pages beyond {limit}", why=why))
                break
            if not following or not body["results"]:
                break
            url = self.next_url(str(following))
            if url is None:
                break
            target = (url, None)
        return list(found.values())[:limit]

    def next_url(self, following: str) -> str | None:
        """``next`` joined to the configured base (it is relative to …/wiki on Cloud); an
        absolute link to another host is a gap, never a request with our credentials."""
        link, base = urlsplit(following), urlsplit(self.settings.base_url)
        if not (link.scheme or link.netloc):
            return self.settings.base_url + following
        if (link.scheme, link.netloc) == (base.scheme, base.netloc):
            return following
        why = (f"the next page's link leaves {base.netloc} for {link.scheme}://{link.netloc}; "
               "not followed")
        self.gaps.append(Gap(source=SOURCE, what="pages after the first page(s)", why=why))
        return None

    def get(self, path: str, params: dict[str, Any] | None) -> Raw:
        absolute = params is None
        try:
            response = self.client.get(path, params=params, absolute=absolute, advanced_mode=True)
        except requests.RequestException as exc:
            raise _Fault(None, f"request failed: {type(exc).__name__}") from None
        return _search_body(response)

    def fault(self, fault: _Fault, *, first: bool) -> None:
        if first and fault.status == 401:
            raise ConnectorError(
                f"confluence: credentials rejected by {self.settings.base_url} ({fault.why}); "
                "check CONFLUENCE_EMAIL/CONFLUENCE_API_TOKEN or CONFLUENCE_PAT"
            )
        if first and fault.status == 400:
            raise ConnectorError(f"confluence: CQL rejected ({fault.why}): {self.cql}")
        what = "pages" if first else "pages after the first page(s)"
        self.gaps.append(Gap(source=SOURCE, what=what, why=fault.why))

    def add(self, found: dict[str, ConfluencePage], raw: object, base: str) -> None:
        try:
            page = parse_page(raw, base)
        except (ValueError, TypeError, KeyError) as exc:
            ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
            why = f"malformed content: {str(exc).splitlines()[0][:200]}"
            self.gaps.append(Gap(source=SOURCE, what=f"page {ident}", why=why))
            return
        found.setdefault(page.id, page)


def _search_body(response: requests.Response) -> Raw:
    status = response.status_code
    if status == 429:
        hint = response.headers.get("Retry-After")
        wait = f" (Retry-After: {hint}s)" if hint else ""
        raise _Fault(429, f"HTTP 429: rate limited beyond the retry budget{wait}")
    if not response.ok:
        detail = _error_message(response)
        raise _Fault(status, f"HTTP {status}: {detail}" if detail else f"HTTP {status}")
    try:
        body = response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise _Fault(status, f"malformed response: not JSON ({kind})") from None
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise _Fault(status, "malformed response: search page without results")
    return body


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message or "").split())[:200]


def parse_page(raw: object, base: str) -> ConfluencePage:
    """One content object (expanded as in `EXPAND`) as a `ConfluencePage`."""
    if not isinstance(raw, dict):
        raise TypeError("content is not an object")
    version = raw["version"]
    labels = ((raw.get("metadata") or {}).get("labels") or {}).get("results") or []
    webui = (raw.get("_links") or {}).get("webui")
    body = ((raw.get("body") or {}).get("storage") or {}).get("value") or ""
    return ConfluencePage(
        id=str(raw["id"]),
        title=str(raw.get("title") or ""),
        space_key=(raw.get("space") or {}).get("key"),
        version=PageVersion(
            number=version["number"],
            when=version["when"],
            by=(version.get("by") or {}).get("displayName"),
        ),
        last_modified=version["when"],
        labels=[str(label["name"]) for label in labels if isinstance(label, dict)],
        ancestors=[str(a.get("title", "")) for a in raw.get("ancestors") or []],
        url=f"{base}{webui}" if webui else None,
        body_text=storage_to_text(str(body)),
    )
