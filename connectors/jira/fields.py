"""Which field holds what on this Jira site, from ``/rest/api/{2,3}/field``, read once.

Custom field ids are per site: story points are ``customfield_10016`` on one Cloud site
and ``customfield_10105`` on a Server. Each is found by its type (``schema.custom``), as
Jira Software creates them, with the name where the type alone is ambiguous (a number
field called "Story Points"). A ``JIRA_*_FIELD`` setting wins, and is checked against the
site too. A field the site lacks is a named gap: nothing is read as empty instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connectors.jira.settings import JiraSettings
from connectors.provenance import Gap

SOURCE = "jira"
Raw = dict[str, Any]

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
STORY_POINTS = "com.pyxis.greenhopper.jira:jsw-story-points"  # Cloud "Story point estimate"
STORY_POINT_NAMES = ("story points", "story point estimate")
EPIC_LINK = "com.pyxis.greenhopper.jira:gh-epic-link"
SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"
TEAMS = (
    "com.atlassian.jira.plugin.system.customfieldtypes:atlassian-team",  # Cloud "Team"
    "com.atlassian.teams:rm-teams-custom-field-team",  # Advanced Roadmaps (Server/DC)
)
DUE_DATE = "duedate"


@dataclass(frozen=True)
class FieldMap:
    """The ids a search asks for beyond the system fields, and what each one means."""

    story_points: tuple[str, ...] = ()  # first with a number wins
    epic_link: str | None = None  # Server/DC; Cloud links epics through ``parent``
    sprint: str | None = None
    team: str | None = None
    due_date: str | None = DUE_DATE

    def ids(self) -> list[str]:
        found = [*self.story_points, self.epic_link, self.sprint, self.team, self.due_date]
        return list(dict.fromkeys(f for f in found if f))

    def described(self) -> dict[str, Any]:
        """For the provenance: which ids were read as what."""
        return {"story_points": list(self.story_points), "epic_link": self.epic_link,
                "sprint": self.sprint, "team": self.team, "due_date": self.due_date}


def configured(settings: JiraSettings) -> FieldMap:
    """What the settings name, for when ``/field`` cannot be read."""
    points = (settings.story_points_field,) if settings.story_points_field else ()
    return FieldMap(points, settings.epic_link_field, settings.sprint_field,
                    settings.team_field)


def discover(fields: Iterable[Raw], settings: JiraSettings) -> tuple[FieldMap, list[Gap]]:
    """The field map for a site whose ``/field`` answered ``fields``, and what it lacks."""
    listed = [f for f in fields if isinstance(f, dict) and f.get("id")]
    by_id = {str(f["id"]): f for f in listed}
    gaps: list[Gap] = []

    def pick(what: str, setting: str, override: str | None, found: list[str],
             lacking: str) -> list[str]:
        if override is not None:
            if override in by_id:
                return [override]
            gaps.append(Gap(source=SOURCE, what=what, why=f"JIRA_{setting.upper()} {override} "
                            "is not a field of this site; not read"))
            return []
        if not found:
            gaps.append(Gap(source=SOURCE, what=what, why=lacking))
        return found

    points = pick("story points", "story_points_field", settings.story_points_field,
                  _story_points(listed), "no Story Points field on this site (a number field "
                  "named Story Points, or Jira Software's story point estimate)")
    epic: list[str] = []
    if not settings.is_cloud or settings.epic_link_field:  # Cloud: the parent is the epic
        epic = pick("epic links", "epic_link_field", settings.epic_link_field,
                    _of_type(listed, EPIC_LINK), f"no Epic Link field ({EPIC_LINK}) on this "
                    "site; epics come from the parent only")
    sprint = pick("sprints", "sprint_field", settings.sprint_field, _of_type(listed, SPRINT),
                  f"no Sprint field ({SPRINT}) on this site")
    team = pick("teams", "team_field", settings.team_field,
                [f for kind in TEAMS for f in _of_type(listed, kind)],
                "no Team field (Atlassian teams or Advanced Roadmaps) on this site")
    due = DUE_DATE if DUE_DATE in by_id else None
    if due is None:
        gaps.append(Gap(source=SOURCE, what="due dates", why="no Due date field on this site"))
    return FieldMap(tuple(points[:3]), _first(epic), _first(sprint), _first(team), due), gaps


def _schema(field: Raw) -> Raw:
    schema = field.get("schema")
    return schema if isinstance(schema, dict) else {}


def _of_type(fields: list[Raw], kind: str) -> list[str]:
    return sorted((str(f["id"]) for f in fields if _schema(f).get("custom") == kind),
                  key=_numeric_id)


def _story_points(fields: list[Raw]) -> list[str]:
    """Named "Story Points" (a number field) first, then Jira Software's estimate field."""
    named = [f for f in fields if str(f.get("name", "")).casefold() in STORY_POINT_NAMES
             and _schema(f).get("custom") in (FLOAT, STORY_POINTS)]
    named.sort(key=lambda f: (STORY_POINT_NAMES.index(str(f["name"]).casefold()),
                              _numeric_id(str(f["id"]))))
    typed = _of_type(fields, STORY_POINTS)
    return list(dict.fromkeys([*(str(f["id"]) for f in named), *typed]))


def _numeric_id(field_id: str) -> tuple[int, str]:
    tail = field_id.rsplit("_", 1)[-1]
    return (int(tail), field_id) if tail.isdigit() else (0, field_id)


def _first(ids: list[str]) -> str | None:
    return ids[0] if ids else None
