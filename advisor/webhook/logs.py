"""Structured JSON log lines. Only named, harmless fields are ever written: never a
body, a signature, a token or a secret."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FIELDS = ("delivery", "event", "action", "repo", "number", "status", "http_status", "reason",
          "report_id", "run_id", "queue_depth", "duration_ms", "actor", "job", "error", "path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = record.exc_info[0].__name__  # the type only: messages may quote data
        return json.dumps(data, default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
