"""untested-change and uncovered-changed-lines, with Cobertura and LCOV reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agents.delivery.coverage import CoverageError, load_coverage
from agents.models import Severity
from connectors.github.models import PullRequest
from tests.agents.delivery.factories import changed, of, pr, run, snapshot

PATCH = "@@ -10,2 +10,5 @@ def refund(amount):\n ctx\n+a\n+b\n+c\n ctx\n+d\n"  # adds 11-13, 15


def _cobertura(tmp_path: Path, hits: dict[int, int], filename: str = "pay/refund.py") -> Path:
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in hits.items())
    xml = ('<?xml version="1.0" ?>\n<!DOCTYPE coverage SYSTEM '
           '"http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n'
           '<coverage><sources><source>/ci/build/src</source></sources><packages><package>'
           f'<classes><class filename="{filename}"><methods/><lines>{lines}</lines></class>'
           '</classes></package></packages></coverage>')
    path = tmp_path / "coverage.xml"
    path.write_text(xml)
    return path


def _lcov(tmp_path: Path, hits: dict[int, int]) -> Path:
    body = "".join(f"DA:{n},{h}\n" for n, h in hits.items())
    path = tmp_path / "lcov.info"
    path.write_text(f"TN:\nSF:/ci/build/src/pay/refund.py\n{body}end_of_record\n")
    return path


def _refund_pr() -> list[PullRequest]:
    return [pr(files=[changed("src/pay/refund.py", 4, patch=PATCH),
                      changed("tests/test_refund.py", 3)])]


# -- untested-change --------------------------------------------------------------------


def test_source_change_without_tests_is_untested() -> None:
    report = run(snapshot(prs=[pr(files=[changed("pay/refund.py", 12, 3)])]))
    [finding] = of(report, "untested-change")
    assert [e.ref for e in finding.evidence] == ["acme/pay#1", "pay/refund.py:1"]
    assert finding.evidence[1].url == ("https://github.com/acme/pay/blob/"
                                       f"{1:040x}/pay/refund.py#L1")


def test_change_with_tests_docs_or_trivial_size_is_not_untested() -> None:
    prs = [pr(1),  # source and tests
           pr(2, files=[changed("docs/guide.md", 50)]),
           pr(3, files=[changed("pay/refund.py", 2)])]  # under min_source_lines
    assert of(run(snapshot(prs=prs)), "untested-change") == []


def test_unread_file_list_is_a_gap() -> None:
    report = run(snapshot(prs=[pr(files=[], missing=["files"])]))
    assert of(report, "untested-change") == []
    assert any(g.what == "test-gap checks of acme/pay#1" for g in report.gaps)


def test_globs_are_configurable() -> None:
    body = snapshot(prs=[pr(files=[changed("lib/core.ex", 20)])])
    assert of(run(body), "untested-change") == []
    report = run(body, {"tests": {"source_globs": ["lib/**"]}})
    assert len(of(report, "untested-change")) == 1


# -- uncovered-changed-lines ------------------------------------------------------------


@pytest.mark.parametrize("write", [_cobertura, _lcov], ids=["cobertura", "lcov"])
def test_uncovered_added_lines_are_reported_as_ranges(
    tmp_path: Path, write: Callable[[Path, dict[int, int]], Path]
) -> None:
    report_file = write(tmp_path, {10: 1, 11: 0, 12: 0, 13: 1, 15: 0, 40: 0})
    report = run(snapshot(prs=_refund_pr()), coverage_file=report_file)
    [finding] = of(report, "uncovered-changed-lines")
    files = [e for e in finding.evidence if e.path]
    assert [(e.ref, e.line) for e in files] == [("src/pay/refund.py:11-12", 11),
                                               ("src/pay/refund.py:15", 15)]
    assert files[0].url is not None and files[0].url.endswith("#L11-L12")
    assert finding.severity == Severity.MEDIUM  # 3 of 4 executable added lines
    assert report.metrics["coverage_report"] in {"cobertura", "lcov"}


def test_covered_added_lines_are_not_reported(tmp_path: Path) -> None:
    report_file = _cobertura(tmp_path, {11: 3, 12: 1, 13: 1, 15: 2, 40: 0})
    report = run(snapshot(prs=_refund_pr()), coverage_file=report_file)
    assert of(report, "uncovered-changed-lines") == []


def test_file_absent_from_report_is_counted_not_claimed(tmp_path: Path) -> None:
    report_file = _cobertura(tmp_path, {11: 0}, filename="other/module.py")
    report = run(snapshot(prs=_refund_pr()), coverage_file=report_file)
    assert of(report, "uncovered-changed-lines") == []
    assert report.metrics["coverage_unmatched_files"] == 1


def test_unreadable_coverage_report_is_a_gap(tmp_path: Path) -> None:
    bad = tmp_path / "coverage.xml"
    bad.write_text("<coverage><packages>")
    report = run(snapshot(prs=_refund_pr()), coverage_file=bad)
    assert any(g.source == "coverage" for g in report.gaps)
    assert report.status == "partial"


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "coverage.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><coverage>&a;'
                    "</coverage>")
    with pytest.raises(CoverageError):
        load_coverage(bomb)


def test_coverage_lookup_by_unique_path_suffix(tmp_path: Path) -> None:
    path = tmp_path / "lcov.info"
    path.write_text("SF:/ci/a/util.py\nDA:1,1\nend_of_record\n"
                    "SF:/ci/b/util.py\nDA:1,0\nend_of_record\n")
    report = load_coverage(path)
    assert report.lines("b/util.py") == {1: 0}
    assert report.lines("c/util.py") is None  # two equally good candidates: no guess
