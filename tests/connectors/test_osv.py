"""OSV connector replayed from cassettes/osv: batch, details, cache, paging, retries, gaps."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
from requests.adapters import HTTPAdapter

from connectors.errors import ReadOnlyViolation
from connectors.osv import OsvConnector, OsvSettings, PackageRef
from connectors.osv.connector import read_only_policy
from connectors.osv.records import OsvRecord, VulnRef
from connectors.transport import RetryPolicy
from tests.connectors.test_github import one_connection_at_a_time  # noqa: F401 - threads
from tests.replay import CASSETTES, FILTERED_HEADERS, replayer

REQUESTS = PackageRef(ecosystem="PyPI", name="requests", version="2.19.0")
JINJA2 = PackageRef(ecosystem="PyPI", name="jinja2", version="2.11.2")
NO_WAIT = RetryPolicy(sleep=lambda _: None)


def _connector(cache: Path, retry: RetryPolicy = NO_WAIT) -> OsvConnector:
    return OsvConnector(OsvSettings(), cache_dir=cache, retry=retry)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "osv-cache"


def _play(name: str) -> Any:
    return _osv_vcr().use_cassette(name, allow_playback_repeats=False)


def _osv_vcr() -> vcr.VCR:
    try:
        return replayer("osv")
    except TypeError:
        # tests/replay.py passes allow_playback_repeats to VCR(), which vcrpy 9 only takes
        # in use_cassette(); same settings otherwise. Drop once replay.py is fixed.
        return vcr.VCR(
            cassette_library_dir=str(CASSETTES / "osv"),
            record_mode="none",
            filter_headers=FILTERED_HEADERS,
            filter_query_parameters=["access_token", "token", "api_key"],
            match_on=["method", "scheme", "host", "port", "path", "query"],
            decode_compressed_response=True,
        )


def _sent_bodies(connector: OsvConnector) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def remember(response: requests.Response, *_: Any, **__: Any) -> None:
        if response.request.body:
            bodies.append(json.loads(response.request.body))

    connector.session.hooks["response"].append(remember)
    return bodies


def test_batch_query_then_details(cache: Path) -> None:
    connector = _connector(cache)
    with _play("querybatch_requests_jinja2.yaml"):
        result, provenance = connector.query([REQUESTS, JINJA2, REQUESTS])

    assert [p.package for p in result.packages] == [REQUESTS, JINJA2]  # asked once each
    found = {v.id: v for v in result.for_package(REQUESTS) or []}
    assert list(found) == ["GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q", "PYSEC-2018-28"]
    ghsa = found["GHSA-x84v-xcm2-53pg"]
    assert ghsa.aliases == ["CVE-2018-18074"] and ghsa.cves == ["CVE-2018-18074"]
    assert ghsa.summary == "Insufficiently Protected Credentials in Requests"
    assert ghsa.severity is not None
    assert (ghsa.severity.band, ghsa.severity.score, ghsa.severity.source) == (
        "HIGH",
        7.5,
        "cvss_v3",
    )
    assert ghsa.cwe_ids == ["CWE-522"]
    assert ghsa.fixed_versions == ["2.20.0"]
    assert [(e.kind, e.version) for e in ghsa.ranges[0].events] == [
        ("introduced", "0"),
        ("fixed", "2.20.0"),
    ]
    assert ghsa.published is not None and ghsa.published.year == 2018
    assert "https://github.com/advisories/GHSA-x84v-xcm2-53pg" in [r.url for r in ghsa.references]
    proxy = found["GHSA-j8r2-6x86-q33q"]
    assert proxy.severity is not None and (proxy.severity.band, proxy.severity.score) == (
        "MEDIUM",
        6.1,
    )
    assert proxy.fixed_versions == ["2.31.0"]
    pysec = found["PYSEC-2018-28"]
    assert pysec.severity is None  # PYSEC carries no rating; the GHSA alias does
    assert pysec.fixed_versions == ["2.20.0"]  # the GIT range's fix is a commit, not a version
    assert [r.type for r in pysec.ranges] == ["GIT", "ECOSYSTEM"]
    assert "2.19.0" in pysec.affected_versions
    jinja = {v.id: v for v in result.for_package(JINJA2) or []}
    redos = jinja["GHSA-g3rq-g295-4j3m"]  # listed for "Jinja2": PEP 503 names match
    assert redos.fixed_versions == ["2.11.3"]
    assert redos.severity is not None and redos.severity.band == "MEDIUM"
    assert jinja["PYSEC-2021-66"].aliases[0] == "CVE-2020-28493"
    assert provenance.gaps == []
    assert provenance.requests == 1 + 5
    assert provenance.asked["packages"] == ["PyPI:requests@2.19.0", "PyPI:jinja2@2.11.2"]


def test_cached_records_cost_no_request(cache: Path) -> None:
    with _play("querybatch_requests_jinja2.yaml"):
        first, _ = _connector(cache).query([REQUESTS, JINJA2])
    with _play("querybatch_requests_jinja2.yaml"):
        second, provenance = _connector(cache).query([REQUESTS, JINJA2])

    assert second == first
    assert provenance.requests == 1  # the batch query only: every record came from disk


def test_stale_cached_record_is_refetched(cache: Path) -> None:
    with _play("querybatch_requests_jinja2.yaml"):
        _connector(cache).query([REQUESTS, JINJA2])
    entry = cache / "GHSA-x84v-xcm2-53pg.json"
    stale = json.loads(entry.read_text())
    stale["modified"] = "2021-09-21T22:17:45Z"
    stale["summary"] = "an older wording"
    entry.write_text(json.dumps(stale))

    with _play("querybatch_requests_jinja2.yaml"):
        result, provenance = _connector(cache).query([REQUESTS, JINJA2])

    assert provenance.requests == 1 + 1
    (ghsa,) = [v for v in result.for_package(REQUESTS) or [] if v.id == "GHSA-x84v-xcm2-53pg"]
    assert ghsa.summary == "Insufficiently Protected Credentials in Requests"
    assert json.loads(entry.read_text())["modified"] == "2024-09-24T21:08:41.593011Z"


def test_next_page_token_is_followed(cache: Path) -> None:
    connector = _connector(cache)
    bodies = _sent_bodies(connector)
    with _play("querybatch_paged.yaml"):
        result, provenance = connector.query([REQUESTS, JINJA2])

    assert [v.id for v in result.for_package(JINJA2) or []] == [
        "GHSA-g3rq-g295-4j3m",
        "PYSEC-2021-66",
    ]
    assert [v.id for v in result.for_package(REQUESTS) or []] == ["GHSA-x84v-xcm2-53pg"]
    follow_up = bodies[1]["queries"]
    assert follow_up == [
        {
            "package": {"ecosystem": "PyPI", "name": "jinja2"},
            "version": "2.11.2",
            "page_token": "CiAKGgoCaWQSFBoSUFlTRUMtMjAyMS02NhgAIAE=",
        }
    ]
    assert provenance.requests == 2 + 3
    assert provenance.gaps == []


def test_server_error_is_retried(cache: Path) -> None:
    with _play("querybatch_503_then_ok.yaml"):
        result, provenance = _connector(cache).query([REQUESTS])

    assert [v.id for v in result.for_package(REQUESTS) or []] == ["GHSA-x84v-xcm2-53pg"]
    assert (provenance.requests, provenance.retries) == (2 + 1, 1)
    assert provenance.gaps == []


def test_server_error_after_retries_is_a_gap(cache: Path) -> None:
    connector = _connector(cache, RetryPolicy(max_attempts=1, sleep=lambda _: None))
    with _play("querybatch_503_then_ok.yaml"):
        result, provenance = connector.query([REQUESTS])

    assert result.for_package(REQUESTS) is None  # unknown, not "no vulnerabilities"
    (gap,) = provenance.gaps
    assert (gap.what, gap.why) == (
        "vulnerabilities of PyPI:requests@2.19.0",
        "HTTP 503 from /v1/querybatch",
    )


def test_body_that_is_not_json_is_a_gap(cache: Path) -> None:
    with _play("querybatch_not_json.yaml"):
        result, provenance = _connector(cache).query([REQUESTS])

    assert result.for_package(REQUESTS) is None
    (gap,) = provenance.gaps
    assert gap.why.startswith("malformed response: Invalid JSON")


def test_results_that_do_not_match_queries_are_a_gap(cache: Path) -> None:
    with _play("querybatch_result_count.yaml"):
        result, provenance = _connector(cache).query([REQUESTS, JINJA2])

    assert result.for_package(REQUESTS) is None and result.for_package(JINJA2) is None
    (gap,) = provenance.gaps
    assert gap.what == "vulnerabilities of PyPI:requests@2.19.0, PyPI:jinja2@2.11.2"
    assert gap.why == "malformed response: 1 results for 2 queries"


def test_malformed_record_keeps_the_vulnerability_and_names_the_gap(cache: Path) -> None:
    with _play("vuln_record_malformed.yaml"):
        result, provenance = _connector(cache).query([REQUESTS])

    vulns = {v.id: v for v in result.for_package(REQUESTS) or []}
    assert vulns["GHSA-x84v-xcm2-53pg"].details_missing
    assert not vulns["GHSA-j8r2-6x86-q33q"].details_missing
    (gap,) = provenance.gaps
    assert (gap.what, gap.why) == (
        "details of GHSA-x84v-xcm2-53pg",
        "malformed response: modified: Field required",
    )
    assert not (cache / "GHSA-x84v-xcm2-53pg.json").exists()  # garbage is never cached


def test_session_refuses_writes_before_sending(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_send(*_: Any, **__: Any) -> None:
        raise AssertionError("a refused request reached the network layer")

    monkeypatch.setattr(HTTPAdapter, "send", must_not_send)
    connector = _connector(cache)
    base = "https://api.osv.dev"
    attempts = {
        "DELETE /v1/vulns/GHSA-x84v-xcm2-53pg": lambda: connector.session.delete(
            f"{base}/v1/vulns/GHSA-x84v-xcm2-53pg"
        ),
        "PUT /v1/vulns/GHSA-x84v-xcm2-53pg": lambda: connector.session.put(
            f"{base}/v1/vulns/GHSA-x84v-xcm2-53pg", json={"id": "GHSA-x84v-xcm2-53pg"}
        ),
        "POST /v1/importfindings": lambda: connector.session.post(f"{base}/v1/importfindings"),
        "POST /v1/querybatch/extra": lambda: connector.session.post(f"{base}/v1/querybatch/extra"),
    }

    for operation, attempt in attempts.items():
        with pytest.raises(ReadOnlyViolation) as refused:
            attempt()
        assert refused.value.operation == operation

    assert connector.stats.requests == 0


def test_read_only_policy_allows_the_two_query_endpoints_under_a_mirror_path() -> None:
    policy = read_only_policy("http://127.0.0.1:8080/osv/")

    policy.check("POST", "http://127.0.0.1:8080/osv/v1/querybatch")
    policy.check("POST", "http://127.0.0.1:8080/osv/v1/query")
    policy.check("GET", "http://127.0.0.1:8080/osv/v1/vulns/PYSEC-2021-66")
    with pytest.raises(ReadOnlyViolation):
        policy.check("POST", "http://127.0.0.1:8080/v1/querybatch")  # outside the mirror


def test_records_are_read_concurrently_within_the_bound(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Go standard-library package names 91 records: read 8 at a time, not 1."""
    lock, active, peak = threading.Lock(), [0], [0]

    def slow(self: OsvConnector, vuln_id: str, modified: Any) -> OsvRecord:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return OsvRecord(id=vuln_id, modified=modified)

    monkeypatch.setattr(OsvConnector, "_record", slow)
    connector = OsvConnector(OsvSettings(), cache_dir=cache)
    refs = [VulnRef(id=f"GO-2024-{n:04}", modified="2024-06-01T00:00:00Z") for n in range(91)]
    gaps: list[Any] = []
    records = connector._records([*refs, refs[0]], gaps)  # a repeated id is read once
    assert list(records) == [r.id for r in refs] and gaps == []
    assert peak[0] == OsvSettings().workers == 8
