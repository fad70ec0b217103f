"""late-dependency: cross-team links we wait on that are open and due after us."""

from __future__ import annotations

from datetime import date

from agents.models import Confidence, Severity
from agents.portfolio.findings import LATE_DEPENDENCY
from tests.agents.portfolio.factories import (
    JIRA_URL,
    epic,
    issue,
    link,
    of_kind,
    release,
    run,
    snapshot,
)

OURS = date(2024, 6, 30)


def _ours(*links: object, status: str = "In Progress") -> list:
    return [issue("PAY-5", fix_versions=["1.0"], links=list(links), status=status)]


def _ops(status: str = "In Progress", when: date | None = date(2024, 7, 15)) -> object:
    return release([issue("OPS-7", status=status, fix_versions=["2.0"])], project="OPS",
                   fix_version="2.0", release_date=when)


def test_late_when_the_other_teams_target_is_after_ours() -> None:
    result = run(snapshot(_ours(link("OPS-7")), fix_version="1.0", release_date=OURS),
                 releases=[_ops()])
    [finding] = of_kind(result, LATE_DEPENDENCY)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert [e.ref for e in finding.evidence] == ["PAY-5", "OPS-7"]
    assert finding.evidence[1].url == f"{JIRA_URL}/browse/OPS-7"
    assert "Its target 2024-07-15 is after ours (2024-06-30)" in finding.explanation
    assert result.view.teams[-1].team == "PAY" and result.view.teams[-1].late_dependencies == 1


def test_late_when_still_open_near_our_release() -> None:
    soon = date(2024, 6, 5)
    result = run(snapshot(_ours(link("INFRA-3", relation="depends on")), fix_version="1.0",
                          release_date=soon))
    [finding] = of_kind(result, LATE_DEPENDENCY)
    assert (finding.severity, finding.confidence) == (Severity.MEDIUM, Confidence.MEDIUM)
    assert "Our target 2024-06-05 is near" in finding.explanation


def test_our_target_can_come_from_the_epic() -> None:
    issues = [epic("PAY-1", labels=["target-2024-06-03"]),
              issue("PAY-5", epic="PAY-1", links=[link("OPS-3", status=None)])]
    [finding] = of_kind(run(snapshot(issues)), LATE_DEPENDENCY)
    assert finding.confidence == Confidence.LOW  # the other side's status is unknown


def test_no_late_dependency_when_the_other_side_is_done() -> None:
    done = run(snapshot(_ours(link("OPS-7")), fix_version="1.0", release_date=OURS),
               releases=[_ops(status="Done")])
    assert not of_kind(done, LATE_DEPENDENCY)
    closed = run(snapshot(_ours(link("OPS-9", status="Closed")), fix_version="1.0",
                          release_date=date(2024, 6, 3)))
    assert not of_kind(closed, LATE_DEPENDENCY)


def test_no_late_dependency_inside_a_team_or_when_due_in_time() -> None:
    same_team = run(snapshot([*_ours(link("PAY-9")), issue("PAY-9")], fix_version="1.0",
                             release_date=date(2024, 6, 3)))
    assert not of_kind(same_team, LATE_DEPENDENCY)
    in_time = run(snapshot(_ours(link("OPS-7")), fix_version="1.0", release_date=OURS),
                  releases=[_ops(when=date(2024, 6, 20))])
    assert not of_kind(in_time, LATE_DEPENDENCY)
    no_target = run(snapshot(_ours(link("OPS-7"))), releases=[_ops()])
    assert not of_kind(no_target, LATE_DEPENDENCY)
    we_are_done = run(snapshot(_ours(link("OPS-7"), status="Done"), fix_version="1.0",
                               release_date=OURS), releases=[_ops()])
    assert not of_kind(we_are_done, LATE_DEPENDENCY)


def test_a_set_of_epics_only_checks_its_own_items() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1"), *_ours(link("OPS-7"))]
    body = snapshot(issues, fix_version="1.0", release_date=OURS)
    assert of_kind(run(body, releases=[_ops()]), LATE_DEPENDENCY)
    assert not of_kind(run(body, releases=[_ops()], epics=["PAY-1"]), LATE_DEPENDENCY)
