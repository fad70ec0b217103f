"""Choosing formats and writing the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from render.release import FORMATS, UnknownFormatError, parse_formats, write_reports
from tests.render import sample


def test_formats() -> None:
    assert FORMATS == ("terminal", "md", "html", "json")


@pytest.mark.parametrize(("text", "expected"), [
    ("md,html", ["md", "html"]),
    (" JSON , md ,json", ["json", "md"]),
    ("terminal", ["terminal"]),
    ("md,,html,", ["md", "html"]),
])
def test_parse_formats(text: str, expected: list[str]) -> None:
    assert parse_formats(text) == expected


@pytest.mark.parametrize("text", ["pdf", "md,docx", "", " , "])
def test_parse_formats_refuses_clearly(text: str) -> None:
    with pytest.raises(UnknownFormatError, match="choose from terminal, md, html, json"):
        parse_formats(text)


def test_unknown_format_names_the_culprit() -> None:
    with pytest.raises(ValueError, match="pdf"):
        parse_formats("md,pdf")


def test_write_reports(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "nested"
    written = write_reports(sample.release_report(), ["terminal", "md", "html", "json"], out)
    assert written == {fmt: out / f"{sample.REPORT_ID}.{fmt}" for fmt in ("md", "html", "json")}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written.values())
    assert written["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(written["json"].read_text(encoding="utf-8"))["report_id"] == \
        sample.REPORT_ID
    assert written["md"].stat().st_mode & 0o777 == 0o644


def test_unregistered_report_is_named_report(tmp_path: Path) -> None:
    written = write_reports(sample.release_report(report_id=None), ["md"], tmp_path)
    assert written == {"md": tmp_path / "report.md"}


def test_report_id_cannot_escape_the_directory(tmp_path: Path) -> None:
    written = write_reports(sample.release_report(report_id="../../etc/passwd"), ["md"],
                            tmp_path)
    assert written["md"].parent == tmp_path
    assert written["md"].name == "etc_passwd.md"


def test_overwrites_atomically(tmp_path: Path) -> None:
    write_reports(sample.release_report(summary="first"), ["md"], tmp_path)
    written = write_reports(sample.release_report(summary="second"), ["md"], tmp_path)
    assert "second" in written["md"].read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [f"{sample.REPORT_ID}.md"]


def test_write_reports_refuses_unknown(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError):
        write_reports(sample.release_report(), ["pdf"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_release_command_renders_with_the_configured_redactor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A high-entropy literal is masked only where entropy detection is configured: the
    # files and the terminal must use the settings' redactor, as the audit log does.
    from rich.console import Console

    from advisor.commands import release
    from advisor.commands.outputs import OutputTarget
    from governance.redact import Redactor

    literal = '"VThYJyp6lBcgQFqAiABDQsaJsqGwodqbTEPc"'
    report = sample.release_report(summary=f"Rotate blob = {literal} today.")
    state = {"status": "awaiting_signoff", "report": report.model_dump(mode="json")}
    console = Console(record=True, width=200)
    monkeypatch.setattr(release, "console", console)
    target = OutputTarget(tmp_path, ("json",))
    release._finish(state, ["json", "terminal"], target, None, redactor=Redactor(entropy=True),
                    who=None)
    written = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert "VThYJyp6" not in written["summary"] and "[REDACTED:" in written["summary"]
    assert "VThYJyp6" not in console.export_text()
    default = write_reports(report, ["json"], tmp_path / "default")["json"].read_text()
    assert "VThYJyp6" in default  # the default redactor leaves it
