"""Known vulnerabilities of dependencies, from OSV (https://google.github.io/osv.dev/api/).

Two steps, as the API intends: ``POST /v1/querybatch`` names the vulnerabilities of up
to 1000 packages at once (ids and ``modified`` only, paged per query), then
``GET /v1/vulns/{id}`` reads each record, ``workers`` at a time, unless the disk cache
already holds it at that ``modified`` (one Go standard-library package names 90 and
more). The session is read-only: POST is allowed to the two query endpoints.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.osv.cache import VulnCache
from connectors.osv.models import OsvResult, PackageRef, PackageVulnerabilities, Vulnerability
from connectors.osv.records import (
    BatchResponse,
    BatchResult,
    OsvRecord,
    VulnRef,
    vulnerability_for,
)
from connectors.provenance import Gap, RequestStats, SourceProvenance
from connectors.transport import ReadOnlyPolicy, RetryPolicy, guarded_session

SOURCE = "osv"
MAX_BATCH = 1000  # querybatch limit
_T = TypeVar("_T")


class OsvSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = "https://api.osv.dev"  # or a mirror
    batch_size: int = Field(default=MAX_BATCH, ge=1, le=MAX_BATCH)
    max_pages: int = Field(default=20, ge=1)  # per batch; OSV pages every 1000 vulns
    workers: int = Field(default=8, ge=1, le=32)  # records read at once


class MalformedResponse(ValueError):
    """OSV answered 2xx with a body we cannot use."""


def read_only_policy(base_url: str) -> ReadOnlyPolicy:
    prefix = re.escape(urlsplit(base_url).path.rstrip("/"))  # a mirror may live under a path
    return ReadOnlyPolicy.with_posts(SOURCE, [rf"^{prefix}/v1/(querybatch|query)$"])


class OsvConnector:
    def __init__(
        self, settings: OsvSettings, *, cache_dir: Path, retry: RetryPolicy | None = None
    ) -> None:
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self.cache = VulnCache(cache_dir)
        self.stats = RequestStats()
        self.session = guarded_session(read_only_policy(self.base_url), self.stats, retry)

    def query(self, packages: Sequence[PackageRef]) -> tuple[OsvResult, SourceProvenance]:
        before = (self.stats.requests, self.stats.retries, self.stats.rate_limit_wait_s)
        gaps: list[Gap] = []
        unique = list(dict.fromkeys(packages))
        found: dict[PackageRef, list[VulnRef] | None] = {}
        for batch in _chunks(unique, self.settings.batch_size):
            found.update(self._batch(batch, gaps))
        records = self._records([r for refs in found.values() for r in refs or []], gaps)
        result = OsvResult(
            packages=[
                PackageVulnerabilities(package=p, vulnerabilities=_narrow(found[p], p, records))
                for p in unique
            ]
        )
        provenance = SourceProvenance(
            source=SOURCE,
            asked={"base_url": self.base_url, "packages": [str(p) for p in unique]},
            requests=self.stats.requests - before[0],
            retries=self.stats.retries - before[1],
            rate_limit_wait_s=round(self.stats.rate_limit_wait_s - before[2], 3),
            gaps=gaps,
        )
        return result, provenance

    # -- step 1: which vulnerabilities -------------------------------------------------

    def _batch(
        self, packages: list[PackageRef], gaps: list[Gap]
    ) -> dict[PackageRef, list[VulnRef] | None]:
        found: dict[PackageRef, list[VulnRef] | None] = {p: [] for p in packages}
        pending: dict[PackageRef, str | None] = dict.fromkeys(packages)  # page token per package
        for _ in range(self.settings.max_pages):
            try:
                results = self._post_batch([_query(p, token) for p, token in pending.items()])
            except (requests.RequestException, ValueError) as exc:
                gaps.append(Gap(source=SOURCE, what=_packages_named(pending), why=_why(exc)))
                return found | dict.fromkeys(pending)
            following: dict[PackageRef, str | None] = {}
            for package, result in zip(pending, results, strict=True):
                found[package] = [*(found[package] or []), *result.vulns]
                if result.next_page_token:
                    following[package] = result.next_page_token
            if not following:
                return found
            pending = following
        why = f"still paging after {self.settings.max_pages} pages"
        gaps.append(Gap(source=SOURCE, what=_packages_named(pending), why=why))
        return found | dict.fromkeys(pending)

    def _post_batch(self, queries: list[dict[str, Any]]) -> list[BatchResult]:
        response = self.session.post(f"{self.base_url}/v1/querybatch", json={"queries": queries})
        response.raise_for_status()
        results = BatchResponse.model_validate_json(response.content).results
        if len(results) != len(queries):
            raise MalformedResponse(f"{len(results)} results for {len(queries)} queries")
        return results

    # -- step 2: what they are ---------------------------------------------------------

    def _records(self, refs: Iterable[VulnRef], gaps: list[Gap]) -> dict[str, OsvRecord]:
        newest: dict[str, datetime] = {}
        for ref in refs:
            newest[ref.id] = max(ref.modified, newest.get(ref.id, ref.modified))
        records: dict[str, OsvRecord] = {}
        if not newest:
            return records
        workers = max(1, min(self.settings.workers, len(newest)))
        with ThreadPoolExecutor(workers, thread_name_prefix="osv") as pool:
            futures = {vuln_id: pool.submit(self._record, vuln_id, modified)
                       for vuln_id, modified in newest.items()}
        for vuln_id, future in futures.items():  # in the batch's order: reproducible gaps
            try:
                records[vuln_id] = future.result()
            except (requests.RequestException, ValueError) as exc:
                gaps.append(Gap(source=SOURCE, what=f"details of {vuln_id}", why=_why(exc)))
        return records

    def _record(self, vuln_id: str, modified: datetime) -> OsvRecord:
        cached = self.cache.get(vuln_id, modified)
        if cached is not None:
            try:
                return OsvRecord.model_validate(cached)
            except ValidationError:
                pass  # unusable cache entry: refetch it
        response = self.session.get(f"{self.base_url}/v1/vulns/{quote(vuln_id, safe='')}")
        response.raise_for_status()
        raw = response.json()
        record = OsvRecord.model_validate(raw)
        if record.id != vuln_id:
            raise MalformedResponse(f"asked for {vuln_id}, got {record.id}")
        with contextlib.suppress(OSError):  # an unwritable cache costs requests, not data
            self.cache.put(raw)
        return record


def _narrow(
    refs: list[VulnRef] | None, package: PackageRef, records: dict[str, OsvRecord]
) -> list[Vulnerability] | None:
    if refs is None:
        return None
    vulns: dict[str, Vulnerability] = {}
    for ref in refs:
        record = records.get(ref.id)
        vulns[ref.id] = (
            vulnerability_for(record, package)
            if record is not None
            else Vulnerability(id=ref.id, modified=ref.modified, details_missing=True)
        )
    return list(vulns.values())


def _query(package: PackageRef, page_token: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "package": {"ecosystem": package.ecosystem, "name": package.name},
        "version": package.version,
    }
    if page_token:
        query["page_token"] = page_token
    return query


def _why(exc: Exception) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} from {urlsplit(exc.response.url).path}"
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"malformed response: {where + ': ' if where else ''}{first['msg']}"
    if isinstance(exc, ValueError):  # requests' JSONDecodeError is one, too
        return f"malformed response: {str(exc)[:200]}"
    return f"OSV unreachable: {type(exc).__name__}"


def _packages_named(packages: Iterable[PackageRef], shown: int = 5) -> str:
    names = [str(p) for p in packages]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"vulnerabilities of {', '.join(names[:shown])}{more}"


def _chunks(items: list[_T], size: int) -> Iterable[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
