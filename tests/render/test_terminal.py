"""Terminal: a concise rich summary, literal data, ASCII off a terminal."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from render.release import render_terminal
from tests.render import sample
from tests.render.conftest import terminal_text


def test_signoff_command_for_a_pending_report() -> None:
    text = terminal_text(sample.release_report())
    assert (f'advisor signoff {sample.REPORT_ID} --approve|--reject --comment "why"'
            in text)


def test_no_command_without_an_id_or_once_decided() -> None:
    assert "there is no report id to sign off" in terminal_text(
        sample.release_report(report_id=None))
    update, _ = sample.DECISIONS["approved"]
    assert "advisor signoff" not in terminal_text(sample.release_report(**update))


def test_ascii_boxes_off_a_terminal() -> None:
    text = terminal_text(sample.release_report())
    assert not set("╭╮╰╯│─┃━") & set(text)
    assert "+---" in text


def test_rich_markup_in_data_is_printed_literally() -> None:
    report = sample.release_report()
    odd = report.top_risks[0].model_copy(update={"title": "[bold red]not markup[/bold red]"})
    text = terminal_text(report.model_copy(update={"top_risks": [odd]}))
    assert "[bold red]not markup[/bold red]" in text


def test_at_most_ten_top_risks() -> None:
    report = sample.release_report()
    many = [report.top_risks[0].model_copy(update={"title": f"risk number {i:02d}"})
            for i in range(14)]
    text = terminal_text(report.model_copy(update={"top_risks": many}))
    top = text[text.index("Top risks ("):text.index("All findings (")]
    assert "risk number 09" in top
    assert "risk number 10" not in top
    assert f"Top risks (10 of {report.counts.total})" in text  # the total, said separately


def test_where_the_files_went() -> None:
    written = {"md": Path("out/r.md"), "html": Path("out/r.html")}
    text = terminal_text(sample.release_report(), written=written)
    assert "Written:" in text
    assert "out/r.md" in text
    assert "out/r.html" in text


def test_colour_on_a_terminal() -> None:
    console = Console(file=io.StringIO(), width=200, force_terminal=True,
                      color_system="truecolor")
    render_terminal(sample.release_report(), console)
    assert isinstance(console.file, io.StringIO)
    output = console.file.getvalue()
    assert "\x1b[" in output
    assert "╭" in output
