"""trojan-source: bidi controls and invisible characters in added lines."""

from __future__ import annotations

from agents.models import Severity
from tests.agents.security.builders import added, changed, hunk, pull, reviewer

# The classic "early return" Trojan Source example (Boucher & Anderson, 2021).
BIDI_LINE = '    if access_level != "user\u202e \u2066# Check if admin\u2069 \u2066":'


def _trojan(pr):  # type: ignore[no-untyped-def]
    return [f for f in reviewer().review(pr).findings if f.category == "trojan-source"]


def test_bidi_controls_in_an_added_line_are_high() -> None:
    [finding] = _trojan(pull(added("auth/check.py", ["def ok(access_level):", BIDI_LINE,
                                                     "        return True"])))
    assert finding.severity is Severity.HIGH
    assert "U+202E" in finding.explanation and "CVE-2021-42574" in finding.explanation
    assert "⟦U+202E⟧" in (finding.evidence[0].detail or "")
    assert "\u202e" not in finding.model_dump_json()
    assert finding.cwe[:2] == ["CWE-94", "CWE-451"]
    # One finding for the line (ruff, which runs bandit's checks, has no B613 to repeat it).
    assert finding.categories == ["trojan-source"]
    assert [e.ref for e in finding.evidence] == ["auth/check.py:2 (acme/pay#12)"]
    assert "cols " in (finding.evidence[0].detail or "")  # three characters, one line


def test_zero_width_space_in_code_is_reported() -> None:
    [finding] = _trojan(pull(added("app.py", ["admin\u200b = False"])))
    assert finding.severity is Severity.MEDIUM


def test_honest_unicode_is_not_reported() -> None:
    lines = ["\ufeff# -*- coding: utf-8 -*-", 'EMOJI = "👩\u200d💻"', "x = 1"]
    assert _trojan(pull(added("app.py", lines))) == []
    assert _trojan(pull(added("docs/guide.md", ["hyphen\u00adated word"]))) == []


def test_soft_hyphen_in_code_is_reported() -> None:
    assert len(_trojan(pull(added("app.py", ["is\u00adadmin = True"])))) == 1


def test_removed_lines_are_not_this_prs() -> None:
    patch = hunk(1, 1, [f"-{BIDI_LINE}", "+    if access_level != 'user':"])
    assert _trojan(pull(changed("auth/check.py", patch))) == []
