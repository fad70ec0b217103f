"""Free text made fit to show: in a finding, a report, or a note from the model."""

from __future__ import annotations

from agents.injection import visible
from governance.redact import Redactor


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SafeText:
    """Invisible characters spelled out, secrets and PII masked, clipped to a limit.

    Repository text, Jira text and model output can carry anything: every agent passes
    what it copies into a finding through one of these (``one_line`` for titles and
    snippets, which must not break a table or a list).
    """

    def __init__(self, redactor: Redactor, limit: int = 2000, *, one_line: bool = False) -> None:
        self.redactor, self.limit, self.one_line = redactor, limit, one_line

    def __call__(self, text: str | None, limit: int | None = None) -> str:
        raw = " ".join((text or "").split()) if self.one_line else (text or "").strip()
        # Masked first: the redactor sees through invisible characters (a key split by a
        # zero-width space), which spelled out would hide the key from it.
        return clip(visible(self.redactor.redact(raw).text), limit or self.limit)
