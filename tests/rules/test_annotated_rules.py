"""Our Terraform and GitHub Actions rules on annotated files, as the engine's runner does
for its own rules.

``# ruleid: a, b`` says the next code line must hold a finding of rules a and b (the
line the review points at: the attribute, or the resource's header when a setting is
absent), ``# ok: a`` that it must not. Every rule of ``terraform_rules`` and of
``baseline.yaml`` has at least one ``ruleid``. The same resources as ``terraform show
-json`` values (``plan.json``) must give the rules ``plan.expected.yaml`` lists.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from agents.iac.baseline import baseline_rules
from agents.iac.plan import plan_resources
from agents.iac.terraform_rules import RULES, RuleSettings, evaluate
from tests.agents.security.builders import added, pull, reviewer

HERE = Path(__file__).resolve().parent / "terraform"
WORKFLOWS = Path(__file__).resolve().parent / "github-actions"
_ANNOTATION = re.compile(r"#\s*(ruleid|ok):\s*([\w\-, ]+)")


def _expected(lines: list[str]) -> dict[str, dict[int, set[str]]]:
    """{"ruleid"|"ok": {line: rule ids}} with each annotation moved to the next code line."""
    found: dict[str, dict[int, set[str]]] = {"ruleid": defaultdict(set), "ok": defaultdict(set)}
    pending: list[tuple[str, set[str]]] = []
    for number, line in enumerate(lines, start=1):
        if match := _ANNOTATION.search(line):
            pending.append((match.group(1), {r.strip() for r in match.group(2).split(",")}))
            continue
        if line.strip().startswith("#"):
            continue
        for kind, rules in pending:
            found[kind][number] |= rules
        pending = []
    return found


def _reported(path: Path, where: str, prefix: str) -> dict[int, set[str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    review = reviewer().review(pull(added(f"{where}/{path.name}", lines)))
    got: dict[int, set[str]] = defaultdict(set)
    for finding in review.findings:  # a merged finding's reasons were on its line too
        rules = {finding.rule_id, *(r.rule_id for r in finding.reasons)}
        for rule in rules:
            if rule and rule.startswith(prefix):
                got[finding.evidence[0].line or 0].add(rule.removeprefix(prefix).lower())
    return got


CASES = [(p, "infra", "RRA-TF-") for p in sorted(HERE.glob("*.tf"))] + [
    (p, ".github/workflows", "RRA-GHA-") for p in sorted(WORKFLOWS.glob("*.yml"))]


@pytest.mark.parametrize(("path", "where", "prefix"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_annotated_rules(path: Path, where: str, prefix: str) -> None:
    expected = _expected(path.read_text(encoding="utf-8").split("\n"))
    reported = _reported(path, where, prefix)
    missing = {n: rules - reported[n] for n, rules in expected["ruleid"].items()
               if rules - reported[n]}
    unexpected = {n: rules & reported[n] for n, rules in expected["ok"].items()
                  if rules & reported[n]}
    assert (missing, unexpected) == ({}, {})
    stray = {n: rules - expected["ruleid"].get(n, set()) for n, rules in reported.items()
             if rules - expected["ruleid"].get(n, set())}
    assert stray == {}, "findings on lines without a ruleid annotation"


def test_every_terraform_rule_has_a_positive_case() -> None:
    annotated = {rule for path in HERE.glob("*.tf")
                 for rules in _expected(path.read_text().split("\n"))["ruleid"].values()
                 for rule in rules}
    ours = {r.id for r in RULES if r.check is not None} | {r.id for r in baseline_rules()}
    assert ours - annotated == set()


def test_the_rules_on_plan_json() -> None:
    plan = json.loads((HERE / "plan.json").read_text())
    expected = yaml.safe_load((HERE / "plan.expected.yaml").read_text())
    got = {r.address: sorted({h.rule_id for h in evaluate(r.type, r.attributes,
                                                           RuleSettings(origin="plan"))})
           for r in plan_resources(plan)}
    assert got == {k: sorted(v) for k, v in expected.items()}


def test_every_workflow_rule_has_a_positive_case() -> None:
    from agents.security.workflows import RULE_IDS

    annotated = {rule for path in WORKFLOWS.glob("*.yml")
                 for rules in _expected(path.read_text().split("\n"))["ruleid"].values()
                 for rule in rules}
    assert set(RULE_IDS) - annotated == set()
