"""Confluence storage format (XHTML + ``ac:``/``ri:`` tags) as readable, Markdown-ish text.

Headings get ``#``, list items ``-``/``1.``, tables become ``| a | b |`` rows, and the
``code``/``noformat`` macros become fenced blocks. Other macros are dropped (their
parameters and placeholders are not prose) except for the human-written
``ac:rich-text-body`` of panels such as info/note/warning/expand, which is kept.
Only the standard library is used.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SPACES = re.compile(r"\s+")
_VOID = frozenset({"br", "hr", "img", "col", "input", "meta", "link", "wbr", "source"})
_CODE_MACROS = frozenset({"code", "noformat"})
_SKIPPED = frozenset({"ac:image", "ac:placeholder", "ac:task-id", "style", "script"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LIST_TAGS = frozenset({"ul", "ol", "li", "ac:task-list", "ac:task"})
_BLOCKS = frozenset({"p", "div", "section", "ac:layout-cell", "ac:rich-text-body", "dl", "dd"})


def storage_to_text(xhtml: str) -> str:
    """Readable text of a storage-format body."""
    # CDATA is unwrapped up front: newer CPython parsers read it as a comment that
    # ends at the first ">", which would cut code like "a > b" short.
    parser = _StorageParser()
    parser.feed(_CDATA.sub(lambda m: html.escape(m.group(1), quote=False), xhtml))
    parser.close()
    return parser.text()


class _StorageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.prefix = ""
        self.skip: list[str] = []  # open tags whose content is dropped
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        self.items = 0  # open <li>/<ac:task>: paragraphs inside them keep the bullet
        self.quotes = 0  # open <blockquote>s
        self.row: list[str] | None = None
        self.rows: list[tuple[list[str], bool]] = []  # cells, is_header_row
        self.cell: list[str] | None = None
        self.header_row = False
        self.macros: list[str] = []  # names of open ac:structured-macro
        self.code: list[str] | None = None
        self.language = ""
        self.parameter: str | None = None  # ac:name of the code macro parameter being read
        self.status: list[str] | None = None  # text of an ac:task-status being read
        self.preformatted = 0
        self.link_text = False
        self.link_title: str | None = None
        self.task_done = False
        self.anchors: list[tuple[str, list[str], int]] = []  # open <a>: href, sink, start

    # --- output ------------------------------------------------------------------

    def text(self) -> str:
        self.flush()
        out: list[str] = []
        for line in self.lines:
            if line or (out and out[-1]):
                out.append(line.rstrip())
        return "\n".join(out).strip()

    def sink(self) -> list[str]:
        """Where text goes now: a code body, a table cell or the current line."""
        if self.code is not None:
            return self.code
        return self.cell if self.cell is not None else self.line

    def emit(self, text: str) -> None:
        self.sink().append(text)
        if text.strip():
            self.link_text = True

    def flush(self) -> None:
        text = "".join(self.line)
        if self.preformatted == 0:
            text = _SPACES.sub(" ", text).strip()
        if text:
            self.lines.append("> " * self.quotes + self.prefix + text)
        self.line, self.prefix = [], ""

    def block(self) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        if self.items:  # <li><p>…</p><p>…</p></li>: continue under the same bullet
            if "".join(self.line).strip():
                self.line_break()
            return
        self.flush()
        self.lines.append("")

    # --- parser callbacks -----------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        self.start(tag, dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            return
        named = dict(attrs)
        if tag in ("ri:page", "ri:attachment", "ri:space") and self.link_title is None:
            self.link_title = named.get("ri:content-title") or named.get("ri:filename")
        elif tag == "time" and named.get("datetime"):
            self.emit(str(named["datetime"]))
        elif tag in ("br", "hr"):
            self.start(tag, named)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if self.skip[-1] == tag:
                self.skip.pop()
            return
        self.end(tag)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.status is not None:
            self.status.append(data)
        elif self.parameter is not None:
            if self.parameter == "language":
                self.language += data.strip()
        else:
            self.emit(data)

    # --- elements --------------------------------------------------------------------

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in _SKIPPED:
            self.skip.append(tag)
        elif tag == "ac:structured-macro":
            self.macros.append(str(attrs.get("ac:name") or ""))
            if self.macros[-1] in _CODE_MACROS:
                self.block()
                self.code, self.language = [], ""
        elif tag == "ac:parameter":
            self.start_parameter(str(attrs.get("ac:name") or ""))
        elif tag == "ac:plain-text-body" and not self.in_code_macro():
            self.skip.append(tag)
        elif tag == "ac:link":
            self.link_text, self.link_title = False, None
        elif tag == "a":
            sink = self.sink()
            self.anchors.append((str(attrs.get("href") or ""), sink, len(sink)))
        else:
            self.start_html(tag)

    def start_parameter(self, name: str) -> None:
        if self.in_code_macro():
            self.parameter = name  # only "language" is kept
        else:
            self.skip.append("ac:parameter")

    def start_html(self, tag: str) -> None:
        if self.cell is not None and tag in _LIST_TAGS:  # lists in a cell flatten to words
            self.emit(" ")
        elif tag in _HEADINGS:
            self.block()
            self.prefix = "#" * int(tag[1]) + " "
        elif tag in _BLOCKS:
            self.block()
        elif tag == "blockquote":
            self.block()
            self.quotes += 1
        elif tag in ("ul", "ol", "ac:task-list"):
            self.flush()
            self.lists.append([tag == "ol", 1])
        elif tag in ("li", "ac:task"):
            self.start_item()
        elif tag == "ac:task-status":
            self.status = []
        elif tag == "ac:task-body":
            self.prefix += "[x] " if self.task_done else "[ ] "
        elif tag in ("table", "tr", "th", "td"):
            self.start_table(tag)
        elif tag == "pre":
            self.block()
            self.preformatted += 1
            self.lines.append("```")
        elif tag == "code" and not self.preformatted:
            self.emit("`")
        elif tag == "br":
            self.line_break()
        elif tag == "hr":
            self.block()
            self.lines.extend(["---", ""])

    def line_break(self) -> None:
        if self.preformatted or self.cell is not None or self.code is not None:
            self.emit("\n" if self.preformatted else " ")
            return
        indent = " " * len(self.prefix)  # continuation lines stay under their bullet
        self.flush()
        self.prefix = indent

    def start_item(self) -> None:
        self.flush()
        self.items += 1
        if not self.lists:
            self.lists.append([False, 1])
        ordered, number = self.lists[-1]
        self.lists[-1][1] += 1
        indent = "  " * (len(self.lists) - 1)
        self.prefix = f"{indent}{number}. " if ordered else f"{indent}- "

    def start_table(self, tag: str) -> None:
        if tag == "table":
            self.block()
            self.rows = []
        elif tag == "tr":
            self.row, self.header_row = [], True
        else:
            self.cell = []
            self.header_row = self.header_row and tag == "th"

    def end(self, tag: str) -> None:
        if self.cell is not None and tag in _LIST_TAGS:
            self.emit(" ")
        elif tag == "ac:structured-macro":
            self.end_macro()
        elif tag == "ac:parameter":
            self.parameter = None
        elif tag == "ac:task-status":
            self.task_done = "".join(self.status or []).strip() == "complete"
            self.status = None
        elif tag == "a" and self.anchors:
            href, sink, start = self.anchors.pop()
            shown = "".join(sink[start:]).strip()
            if href.startswith(("http://", "https://")) and shown != href:
                self.emit(f" ({href})")  # where a runbook or dashboard lives matters
        elif tag == "ac:link":
            if not self.link_text and self.link_title:
                self.emit(self.link_title)
            self.link_title = None
        elif tag in ("ul", "ol", "ac:task-list"):
            self.flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.lines.append("")
        elif tag in ("li", "ac:task"):
            self.flush()
            self.items = max(0, self.items - 1)
        elif tag in ("td", "th", "tr", "table"):
            self.end_table(tag)
        elif tag == "pre":
            self.flush()
            self.preformatted = max(0, self.preformatted - 1)
            self.lines.extend(["```", ""])
        elif tag == "code" and not self.preformatted:
            self.emit("`")
        elif tag == "blockquote":
            self.block()
            self.quotes = max(0, self.quotes - 1)
        elif tag in _BLOCKS or tag in _HEADINGS:
            self.block()

    def end_macro(self) -> None:
        name = self.macros.pop() if self.macros else ""
        if name in _CODE_MACROS and self.code is not None:
            body = "".join(self.code).strip("\n")
            self.code = None
            self.lines.extend([f"```{self.language}", *body.split("\n"), "```", ""])

    def end_table(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_SPACES.sub(" ", "".join(self.cell)).strip().replace("|", "\\|"))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append((self.row, self.header_row and bool(self.row)))
            self.row = None
        elif tag == "table":
            self.lines.extend(_table_lines(self.rows))
            self.lines.append("")
            self.rows = []

    def in_code_macro(self) -> bool:
        return bool(self.macros) and self.macros[-1] in _CODE_MACROS

    def handle_comment(self, data: str) -> None:
        return  # comments are not content


def _table_lines(rows: list[tuple[list[str], bool]]) -> list[str]:
    lines: list[str] = []
    for index, (cells, is_header) in enumerate(rows):
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0 and is_header:
            lines.append("|" + "---|" * len(cells))
    return lines
