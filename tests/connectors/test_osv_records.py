"""Reading OSV records: CVSS scoring (v2, v3, v4), rating words (Ubuntu's, databases'),
package narrowing, the disk cache."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.osv import PackageRef
from connectors.osv.cache import VulnCache
from connectors.osv.cvss import band, base_score, scored
from connectors.osv.records import OsvRecord, vulnerability_for

LODASH = PackageRef(ecosystem="npm", name="lodash", version="4.17.20")


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N", 5.6),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R", 9.8),  # base only
    ],
)
def test_cvss_v3_base_scores(vector: str, score: float) -> None:
    assert base_score(vector) == score


@pytest.mark.parametrize(
    ("vector", "score", "rating"),
    [  # FIRST's reference vectors: v4.0 specification section 2, NVD's v2 calculator
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "CRITICAL"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 5.1, "MEDIUM"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH"),  # CVSS v2: no prefix
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "HIGH"),  # v2's scale stops at high
        ("AV:L/AC:H/Au:N/C:N/I:N/A:P", 1.2, "LOW"),
    ],
)
def test_cvss_v2_and_v4_are_scored(vector: str, score: float, rating: str) -> None:
    found = scored(vector)
    assert found is not None and (found.score, found.band) == (score, rating)


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:4.0/AV:N/AC:L",  # v4 base metrics missing
        "AV:N/AC:L/Au:N",  # v2 impact missing
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",  # A missing
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    ],
)
def test_unscorable_vectors(vector: str) -> None:
    assert base_score(vector) is None


def test_bands() -> None:
    assert [band(s) for s in (0.0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0)] == [
        "NONE",
        "LOW",
        "LOW",
        "MEDIUM",
        "MEDIUM",
        "HIGH",
        "HIGH",
        "CRITICAL",
        "CRITICAL",
    ]


def _record(**fields: Any) -> OsvRecord:
    base: dict[str, Any] = {
        "id": "GHSA-0000-0000-0000",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "npm", "name": "lodash"}}],
    }
    return OsvRecord.model_validate(base | fields)


def test_a_cvss_v4_vector_is_scored_not_just_kept() -> None:
    """Before #18 a v4-only record fell back to GitHub's word (MODERATE): a 9.3 read as 5."""
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    record = _record(
        severity=[{"type": "CVSS_V4", "score": v4}],
        database_specific={"severity": "MODERATE"},
    )

    severity = vulnerability_for(record, LODASH).severity

    assert severity is not None
    assert (severity.band, severity.score, severity.vector, severity.source) == (
        "CRITICAL",
        9.3,
        v4,
        "cvss_v4",
    )


def test_the_most_severe_score_of_any_version_wins() -> None:
    record = _record(severity=[
        {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},  # 7.5
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"},  # 5.3
    ])
    severity = vulnerability_for(record, LODASH).severity
    assert severity is not None and (severity.score, severity.source) == (7.5, "cvss_v2")


UBUNTU = PackageRef(ecosystem="Ubuntu:22.04:LTS", name="openssl", version="3.0.2-0ubuntu1.10")


def _ubuntu(*severity: dict[str, str]) -> OsvRecord:
    """An Ubuntu record as OSV serves it: the priority is a severity type of its own."""
    return OsvRecord.model_validate({
        "id": "UBUNTU-CVE-2023-5678", "modified": "2024-05-28T04:56:12Z",
        "upstream": ["CVE-2023-5678"], "severity": list(severity),
        "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [
                          {"introduced": "0"}, {"fixed": "3.0.2-0ubuntu1.13"}]}]}],
    })


@pytest.mark.parametrize(("priority", "rating"), [
    ("negligible", "LOW"), ("low", "LOW"), ("medium", "MEDIUM"), ("high", "HIGH"),
    ("critical", "CRITICAL")])
def test_ubuntu_priorities_are_rated(priority: str, rating: str) -> None:
    severity = vulnerability_for(_ubuntu({"type": "Ubuntu", "score": priority}), UBUNTU).severity
    assert severity is not None and (severity.band, severity.source) == (rating, "ubuntu")


def test_ubuntus_cvss_vector_wins_over_its_priority_and_untriaged_rates_nothing() -> None:
    both = _ubuntu({"type": "Ubuntu", "score": "low"},
                   {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"})
    severity = vulnerability_for(both, UBUNTU).severity
    assert severity is not None and (severity.band, severity.source) == ("HIGH", "cvss_v3")
    untriaged = _ubuntu({"type": "Ubuntu", "score": "untriaged"})
    assert vulnerability_for(untriaged, UBUNTU).severity is None


@pytest.mark.parametrize(("word", "rating"), [("IMPORTANT", "HIGH"), ("unimportant", "LOW"),
                                             ("Moderate", "MEDIUM"), ("not yet assigned", None)])
def test_database_words_are_mapped(word: str, rating: str | None) -> None:
    severity = vulnerability_for(_record(database_specific={"severity": word}), LODASH).severity
    assert (severity.band if severity else None) == rating


def test_ecosystem_rating_then_unscored_vector_then_nothing() -> None:
    oss_fuzz = _record(
        affected=[
            {
                "package": {"ecosystem": "npm", "name": "lodash"},
                "ecosystem_specific": {"severity": "HIGH"},
            }
        ]
    )
    v2_only = _record(severity=[{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N"}])  # unscorable

    fuzz = vulnerability_for(oss_fuzz, LODASH).severity
    v2 = vulnerability_for(v2_only, LODASH).severity

    assert fuzz is not None and (fuzz.band, fuzz.source) == ("HIGH", "ecosystem_specific")
    assert v2 is not None and (v2.band, v2.source) == (None, "unscored_vector")
    assert vulnerability_for(_record(), LODASH).severity is None


def test_highest_cvss_v3_wins_including_per_package_scores() -> None:
    record = _record(
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
        affected=[
            {
                "package": {"ecosystem": "npm", "name": "lodash"},
                "severity": [
                    {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
                ],
            }
        ],
    )

    severity = vulnerability_for(record, LODASH).severity

    assert severity is not None and (severity.score, severity.band) == (9.8, "CRITICAL")


def test_only_the_queried_package_ranges_are_kept() -> None:
    record = _record(
        affected=[
            {
                "package": {"ecosystem": "npm", "name": "lodash"},
                "ranges": [
                    {
                        "type": "SEMVER",
                        "events": [{"introduced": "0"}, {"fixed": "4.17.21"}],
                    }
                ],
            },
            {
                "package": {"ecosystem": "npm", "name": "lodash-es"},
                "ranges": [
                    {
                        "type": "SEMVER",
                        "events": [{"introduced": "0"}, {"last_affected": "4.17.20"}],
                    }
                ],
            },
            {
                "package": {"ecosystem": "npm", "name": "Lodash"},  # npm names are exact
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9"}]}],
            },
        ]
    )

    vulnerability = vulnerability_for(record, LODASH)

    assert vulnerability.fixed_versions == ["4.17.21"]
    assert len(vulnerability.ranges) == 1


def test_cache_hit_miss_and_stale(tmp_path: Path) -> None:
    cache = VulnCache(tmp_path)
    record = {"id": "PYSEC-2021-66", "modified": "2024-11-21T14:22:59.872546Z"}
    cache.put(record)

    assert (
        cache.get("PYSEC-2021-66", datetime(2024, 11, 21, 14, 22, 59, 872546, tzinfo=UTC)) == record
    )
    assert cache.get("PYSEC-2021-66", datetime(2024, 1, 1, tzinfo=UTC)) == record  # newer is fine
    assert cache.get("PYSEC-2021-66", datetime(2025, 1, 1, tzinfo=UTC)) is None  # stale
    assert cache.get("PYSEC-2021-67", datetime(2024, 1, 1, tzinfo=UTC)) is None


def test_cache_ignores_garbage_and_stays_in_its_directory(tmp_path: Path) -> None:
    cache = VulnCache(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "GHSA-x84v-xcm2-53pg.json").write_text("{not json")
    cache.put({"id": "../../escape", "modified": "2024-01-01T00:00:00Z"})

    assert cache.get("GHSA-x84v-xcm2-53pg", datetime(2020, 1, 1, tzinfo=UTC)) is None
    assert [p.parent for p in (tmp_path / "cache").iterdir()] == [tmp_path / "cache"] * 2
    assert cache.get("../../escape", datetime(2020, 1, 1, tzinfo=UTC)) is not None
