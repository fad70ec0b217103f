"""Flatten Atlassian Document Format (Jira Cloud v3 rich text) to readable plain text.

Blocks become lines (headings get ``#``, list items ``-``/``1.``, code is fenced, table
rows become ``| a | b |``); inline nodes keep their visible text. Unknown nodes fall back
to their children, so new node types degrade to text rather than vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Node = dict[str, Any]


def adf_to_text(document: object) -> str:
    """Plain text of an ADF document; strings (v2 wiki text) pass through unchanged."""
    if document is None:
        return ""
    if isinstance(document, str):
        return document.strip()
    if not isinstance(document, dict):
        return ""
    lines = _blocks(_children(document), depth=0)
    return _tidy(lines)


def _children(node: Node) -> list[Node]:
    content = node.get("content")
    return [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []


def _attrs(node: Node) -> dict[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _tidy(lines: list[str]) -> str:
    """Join blocks, collapsing runs of blank lines."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip()


# --- inline -----------------------------------------------------------------


def _inline(nodes: list[Node]) -> str:
    return "".join(_inline_text(n) for n in nodes)


def _inline_text(node: Node) -> str:
    kind = node.get("type")
    attrs = _attrs(node)
    if kind == "text":
        return _marked(str(node.get("text", "")), node.get("marks"))
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "emoji", "status"):
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind == "inlineCard":
        return str(attrs.get("url", ""))
    if kind == "date":
        return _date(attrs.get("timestamp"))
    return _inline(_children(node))


def _marked(text: str, marks: object) -> str:
    if not isinstance(marks, list):
        return text
    for mark in marks:
        if not isinstance(mark, dict):
            continue
        if mark.get("type") == "code":
            text = f"`{text}`"
        elif mark.get("type") == "link":
            href = (mark.get("attrs") or {}).get("href")
            if href and href != text:
                text = f"{text} ({href})"
    return text


def _date(timestamp: object) -> str:
    try:
        return datetime.fromtimestamp(int(str(timestamp)) / 1000, UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError):
        return ""


# --- blocks -----------------------------------------------------------------


def _blocks(nodes: list[Node], depth: int) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        lines.extend(_block(node, depth))
    return lines


def _block(node: Node, depth: int) -> list[str]:
    handler = _BLOCKS.get(str(node.get("type")))
    if handler is not None:
        return handler(node, depth)
    if node.get("type") == "text" or "text" in node:
        return [_inline([node])]
    return _blocks(_children(node), depth)


def _paragraph(node: Node, depth: int) -> list[str]:
    return [_inline(_children(node)), ""]


def _heading(node: Node, depth: int) -> list[str]:
    level = _attrs(node).get("level", 1)
    level = level if isinstance(level, int) and 1 <= level <= 6 else 1
    return ["#" * level + " " + _inline(_children(node)), ""]


def _list(node: Node, depth: int) -> list[str]:
    ordered = node.get("type") == "orderedList"
    start = _attrs(node).get("order", 1) if ordered else 1
    lines: list[str] = []
    for offset, item in enumerate(_children(node)):
        bullet = f"{start + offset}." if ordered and isinstance(start, int) else "-"
        if item.get("type") == "taskItem":
            bullet = _task_box(item)
        lines.extend(_list_item(item, depth, bullet))
    return [*lines, ""] if depth == 0 else lines


def _task_box(item: Node) -> str:
    return "- [x]" if _attrs(item).get("state") == "DONE" else "- [ ]"


def _list_item(item: Node, depth: int, bullet: str) -> list[str]:
    indent = "  " * depth
    text: list[str] = []
    nested: list[str] = []
    for child in _children(item):
        kind = child.get("type")
        if kind in _LISTS:
            nested.extend(_list(child, depth + 1))
        elif kind in _BLOCKS and kind != "paragraph":
            nested.extend(f"{indent}  {line}" for line in _block(child, depth + 1) if line)
        else:  # paragraphs, and the bare inline nodes of task items
            text.append(_inline([child]) if kind == "text" else _inline(_children(child)))
    return [f"{indent}{bullet} {' '.join(t for t in text if t)}".rstrip(), *nested]


def _code(node: Node, depth: int) -> list[str]:
    language = _attrs(node).get("language") or ""
    return [f"```{language}", _inline(_children(node)), "```", ""]


def _quote(node: Node, depth: int) -> list[str]:
    inner = [line for line in _blocks(_children(node), depth) if line]
    return [*(f"> {line}" for line in inner), ""]


def _rule(node: Node, depth: int) -> list[str]:
    return ["---", ""]


def _expand(node: Node, depth: int) -> list[str]:
    title = _attrs(node).get("title")
    head = [str(title)] if title else []
    return [*head, *_blocks(_children(node), depth)]


def _table(node: Node, depth: int) -> list[str]:
    rows: list[str] = []
    for row in _children(node):
        cells = [_cell_text(cell) for cell in _children(row)]
        rows.append("| " + " | ".join(cells) + " |")
        if len(rows) == 1 and all(c.get("type") == "tableHeader" for c in _children(row)):
            rows.append("|" + "---|" * len(cells))
    return [*rows, ""]


def _cell_text(cell: Node) -> str:
    parts = [line for line in _blocks(_children(cell), 1) if line]
    return " ".join(parts).replace("|", "\\|")


def _dropped(node: Node, depth: int) -> list[str]:
    return []  # media has no text worth keeping


_LISTS = frozenset({"bulletList", "orderedList", "taskList"})

_BLOCKS: dict[str, Callable[[Node, int], list[str]]] = {
    "paragraph": _paragraph,
    "heading": _heading,
    "bulletList": _list,
    "orderedList": _list,
    "taskList": _list,
    "codeBlock": _code,
    "blockquote": _quote,
    "rule": _rule,
    "panel": lambda node, depth: [*_blocks(_children(node), depth), ""],
    "expand": _expand,
    "nestedExpand": _expand,
    "table": _table,
    "mediaSingle": _dropped,
    "mediaGroup": _dropped,
    "blockCard": lambda node, depth: [str(_attrs(node).get("url", "")), ""],
}
