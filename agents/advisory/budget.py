"""Token and dollar budgets, per run and per UTC day.

A run is one advisor instance. Per-day totals live in ``$ADVISOR_HOME/llm-usage.json``
(``{"days": {"2026-11-21": {"tokens": …, "usd": …, "calls": …}}}``, the last 31 days),
updated under an exclusive lock and replaced atomically, so concurrent runs on one
machine add up. Runs on different machines each keep their own file.

A call is refused *before* it is made when its worst case would cross a limit: the
estimated input priced as a cache write (the dearest input rate) plus ``max_tokens``
of output. After the call the real usage is recorded.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agents.advisory.settings import Budget, Budgets, Prices

USAGE_FILE = "llm-usage.json"
_KEEP_DAYS = 31


class Tokens(BaseModel):
    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read


def cost_usd(tokens: Tokens, prices: Prices) -> float:
    micro = (tokens.input * prices.input + tokens.output * prices.output
             + tokens.cache_creation * prices.cache_write + tokens.cache_read * prices.cache_read)
    return round(micro / 1_000_000, 6)


def estimate_tokens(*texts: str) -> int:
    """A deliberately high local estimate: ~3 characters a token, plus framing overhead.

    English prose runs nearer 4 characters a token and code nearer 3; erring high only
    makes the budget check stricter.
    """
    return sum(math.ceil(len(t) / 3) for t in texts) + 16 * len(texts)


def worst_case(input_tokens: int, max_tokens: int, prices: Prices) -> tuple[int, float]:
    tokens = input_tokens + max_tokens
    usd = (input_tokens * max(prices.input, prices.cache_write) + max_tokens * prices.output)
    return tokens, round(usd / 1_000_000, 6)


class _Spent(BaseModel):
    tokens: int = 0
    usd: float = 0.0
    calls: int = 0


def _over(budget: Budget, spent: _Spent, tokens: int, usd: float) -> str | None:
    if budget.tokens is not None and spent.tokens + tokens > budget.tokens:
        return f"{spent.tokens} of {budget.tokens} tokens used"
    if budget.usd is not None and spent.usd + usd > budget.usd + 1e-12:
        return f"${spent.usd:.4f} of ${budget.usd:.2f} used"
    return None


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class UsageLedger:
    """Per-run totals in memory, per-day totals in a small JSON file."""

    def __init__(self, budgets: Budgets, path: Path,
                 today: Callable[[], str] = _today) -> None:
        self.budgets = budgets
        self.path = path
        self.today = today
        self.run = _Spent()

    def refusal(self, tokens: int, usd: float) -> str | None:
        """Why a call of this worst case may not be made, or None when it may."""
        over = _over(self.budgets.per_run, self.run, tokens, usd)
        if over:
            return f"per-run LLM budget reached ({over})"
        over = _over(self.budgets.per_day, self.day(), tokens, usd)
        if over:
            return f"per-day LLM budget reached ({over}, UTC day {self.today()})"
        return None

    def day(self) -> _Spent:
        days = self._read().get("days", {})
        return _Spent.model_validate(days.get(self.today(), {}))

    def record(self, tokens: int, usd: float) -> None:
        self.run = _Spent(tokens=self.run.tokens + tokens, usd=round(self.run.usd + usd, 6),
                          calls=self.run.calls + 1)
        with self._locked():
            data = self._read()
            days: dict[str, Any] = data.setdefault("days", {})
            spent = _Spent.model_validate(days.get(self.today(), {}))
            days[self.today()] = _Spent(tokens=spent.tokens + tokens,
                                        usd=round(spent.usd + usd, 6),
                                        calls=spent.calls + 1).model_dump()
            for old in sorted(days)[:-_KEEP_DAYS]:
                del days[old]
            self._write(data)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # Unreadable usage cannot prove we are under budget: count the day as spent.
            limit = self.budgets.per_day
            return {"days": {self.today(): {"tokens": limit.tokens or 0, "usd": limit.usd or 0.0,
                                            "calls": 0, "unreadable": True}}}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".llm-usage.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_suffix(".lock")
        with lock.open("a") as handle:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - Windows: best effort, no lock
                yield
                return
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
