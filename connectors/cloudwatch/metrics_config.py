"""Load ``config/metrics.yaml``: the metric queries to run per service."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.cloudwatch.models import QUERY_ID, MetricQuery, check_metric_or_expression

MAX_QUERIES_PER_SERVICE = 500  # one GetMetricData call must hold a service and its expressions

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_IDENTIFIER = re.compile(r"\b[a-z][a-zA-Z0-9_]*\b")  # metric-math functions are upper case


class MetricsConfigError(ValueError):
    """The metrics file cannot be used; the message is one line naming file and field."""


class _QuerySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=QUERY_ID.pattern)
    label: str | None = None
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: dict[str, str] = Field(default_factory=dict)
    stat: str | None = None
    period_s: int | None = Field(default=None, ge=1)
    unit: str | None = None
    expression: str | None = None
    return_data: bool = True

    @model_validator(mode="after")
    def _metric_or_expression(self) -> _QuerySpec:
        check_metric_or_expression(self.namespace, self.metric_name, self.stat, self.expression)
        return self


class MetricsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    period_s: int = Field(default=300, ge=1)
    window_days: int = Field(default=7, ge=1, le=455)  # CloudWatch keeps 15 months
    services: dict[str, list[_QuerySpec]]

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)

    @property
    def queries(self) -> list[MetricQuery]:
        return [
            MetricQuery(
                service=service,
                **spec.model_dump(exclude_none=True, exclude={"label", "period_s"}),
                label=spec.label or spec.id,
                period_s=spec.period_s or self.period_s,
            )
            for service, specs in self.services.items()
            for spec in specs
        ]

    @model_validator(mode="after")
    def _consistent(self) -> MetricsConfig:
        duplicates = sorted(
            i for i, n in Counter(s.id for q in self.services.values() for s in q).items() if n > 1
        )
        if duplicates:
            raise ValueError(f"query ids must be unique across the file: {', '.join(duplicates)}")
        for service, specs in self.services.items():
            _check_service(service, specs)
        return self


def _check_service(service: str, specs: list[_QuerySpec]) -> None:
    if len(specs) > MAX_QUERIES_PER_SERVICE:
        raise ValueError(f"{service}: more than {MAX_QUERIES_PER_SERVICE} queries")
    ids = {spec.id for spec in specs}
    for spec in specs:
        if spec.expression is None:
            continue
        unknown = sorted(referenced_ids(spec.expression) - ids)
        if unknown:
            raise ValueError(f"{service}.{spec.id}: expression uses unknown ids {unknown}")


def referenced_ids(expression: str) -> set[str]:
    """Query ids an expression refers to (quoted strings, e.g. in SEARCH, ignored)."""
    return set(_IDENTIFIER.findall(_QUOTED.sub("", expression)))


def load_metrics_config(path: Path) -> MetricsConfig:
    """Parse and validate ``path``; any problem becomes one ``MetricsConfigError`` line."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MetricsConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:  # file:line:column, like every configuration file
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise MetricsConfigError(f"{where}: {problem}") from exc
    if not isinstance(raw, dict):
        raise MetricsConfigError(f"{path}: expected a mapping with schema_version and services")
    try:
        return MetricsConfig.model_validate(raw)
    except ValidationError as exc:
        raise MetricsConfigError(f"{path}: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"
