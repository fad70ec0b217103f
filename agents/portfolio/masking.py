"""Only aggregates leave this agent: the last step every result goes through.

``mask_output`` walks the whole result (findings, summary, metrics, the view) and
replaces every value of a sensitive field that appears in it with ``[masked:<field>]``.
Sensitive fields are the policy's ``sensitive_fields`` plus, unless
``team.show_assignees`` is set, the people fields (assignee, reporter, changelog
authors); it also drops assignee counts from team tables unless that is set.

The normalized ``JiraIssue`` carries few raw fields: a configured field it does not
carry (a cost or contract custom field, say) never reaches this agent, so it cannot
leave it either; such fields are listed in the metrics, not masked. Descriptions are
never copied into any output; list ``description`` to have copies masked as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agents.portfolio.policy import PortfolioPolicy
from agents.portfolio.view import PortfolioResult
from connectors.jira.models import JiraIssue

PEOPLE = ("assignee", "reporter")
MIN_LENGTH = 3  # shorter values ("QA", "1") would mask ordinary words and numbers


def placeholder(field: str) -> str:
    return f"[masked:{field}]"


@dataclass(frozen=True)
class Masking:
    values: Mapping[str, str]  # sensitive value -> the field it came from
    not_carried: tuple[str, ...]  # configured fields the normalized issue does not have
    show_assignees: bool
    pattern: re.Pattern[str] | None  # every value, longest first

    def text(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: placeholder(self.values[m.group(0)]), text)


def masking_for(issues: Iterable[JiraIssue], policy: PortfolioPolicy) -> Masking:
    show = policy.team.show_assignees
    fields = [*policy.sensitive_fields, *(() if show else PEOPLE)]
    carried = [f for f in dict.fromkeys(fields) if f in JiraIssue.model_fields]
    values: dict[str, str] = {}
    for issue in issues:
        for field in carried:
            for value in _strings(getattr(issue, field)):
                values.setdefault(value, field)
        if not show:
            for move in issue.status_history:
                for value in _strings(move.by):
                    values.setdefault(value, "person")
    not_carried = tuple(sorted(f for f in set(policy.sensitive_fields)
                               if f not in JiraIssue.model_fields))
    return Masking(values, not_carried, show, _compile(values))


def mask_output(result: PortfolioResult, masking: Masking) -> PortfolioResult:
    view = result.view
    if not masking.show_assignees:
        view = view.model_copy(update={
            "teams": [t.model_copy(update={"assignees": None}) for t in view.teams]})
    if not masking.values:
        return result.model_copy(update={"view": view})
    data = {"report": result.report.model_dump(), "view": view.model_dump()}
    return PortfolioResult.model_validate(_walk(data, masking))


def _walk(value: Any, masking: Masking) -> Any:
    if isinstance(value, str):
        masked = masking.text(value)
        return value if masked == value else masked  # keep enums as they were
    if isinstance(value, dict):
        return {_walk(k, masking): _walk(v, masking) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, masking) for v in value]
    return value


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [v.strip() for v in items if isinstance(v, str) and len(v.strip()) >= MIN_LENGTH]


def _compile(values: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(values, key=lambda v: (-len(v), v))  # "Ann Lee" before "Ann"
    if not ordered:
        return None
    # Whole words only: masking "Ann" must not turn "Annual" into "[masked:assignee]ual".
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
