"""Log lines, redacted: JSON lines for the server, plain lines for the commands.

Only named, harmless fields are ever written (never a body, a signature, a token or a
secret), and every string that is written passes through the redactor first: a reason
or an error message may quote what the advisor read. Tracebacks are redacted too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FIELDS = ("delivery", "event", "action", "repo", "number", "status", "http_status", "reason",
          "report_id", "run_id", "queue_depth", "duration_ms", "actor", "job", "error", "path")


def redacted(text: str) -> str:
    from governance.redact import redact

    return redact(text).text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redacted(record.getMessage()),
        }
        for name in FIELDS:
            if hasattr(record, name):
                value = getattr(record, name)
                data[name] = redacted(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = record.exc_info[0].__name__  # the type only: messages may quote data
        return json.dumps(data, default=str)


class RedactingFormatter(logging.Formatter):
    """A plain formatter whose whole output (message, traceback) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redacted(super().format(record))


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def configure_plain(level: str = "WARNING",
                    fmt: str = "advisor: %(levelname)s %(name)s: %(message)s") -> None:
    """The commands' logging: to stderr, redacted (instead of Python's last resort)."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
