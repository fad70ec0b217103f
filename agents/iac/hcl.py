"""Terraform source (``.tf``) to resources, with python-hcl2.

python-hcl2 8 keeps string quotes and block markers unless told otherwise, and older
releases take no options at all; ``_loads`` hides the difference. The parser gives no
line numbers, so blocks are located with a header regex over the source: top-level
blocks in Terraform start at column 0 (``terraform fmt`` guarantees it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import hcl2

from agents.iac.resources import Mode, TerraformResource

__all__ = ["HclError", "parse_expression", "parse_terraform"]


class HclError(ValueError):
    """The text is not valid HCL; the message is one line and holds no source text."""


_HEADER = re.compile(r'^(resource|data)\s+"?([\w.-]+)"?\s+"?([\w.-]+)"?\s*\{'
                     r'|^(provider)\s+"?([\w.-]+)"?\s*\{')
_TOP_LEVEL = re.compile(r'^[A-Za-z_][\w-]*(?:\s+"?[\w.-]*"?)*\s*\{')


_HEREDOC_START = re.compile(r"<<-?\s*([A-Za-z_][\w-]*)\s*$")


def normalise_heredocs(text: str) -> str:
    """Trailing blanks after a heredoc's closing marker removed.

    Terraform accepts ``EOF`` followed by spaces as the end of a heredoc; python-hcl2's
    grammar does not, and a valid file would otherwise fail to parse. Only the marker
    lines change, so line numbers and every value stay as they were.
    """
    lines = text.split("\n")
    marker: str | None = None
    for index, line in enumerate(lines):
        if marker is None:
            opened = _HEREDOC_START.search(line)
            marker = opened.group(1) if opened else None
        elif line.strip() == marker:
            lines[index] = line.rstrip()
            marker = None
    return "\n".join(lines)


def _loads(text: str) -> dict[str, Any]:
    try:
        from hcl2.utils import SerializationOptions
    except ImportError:  # python-hcl2 < 7: unquoted strings, no options
        return dict(hcl2.loads(text))
    options = SerializationOptions(with_comments=False, explicit_blocks=False,
                                   strip_string_quotes=True, preserve_heredocs=False)
    return dict(hcl2.loads(text, serialization_options=options))


def _clean(value: Any) -> Any:
    """Drop parser metadata (``__start_line__``, ``__is_block__``…) at every depth."""
    if isinstance(value, Mapping):
        return {_unquote(str(k)): _clean(v) for k, v in value.items()
                if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _blocks(parsed: Mapping[str, Any]) -> Iterator[tuple[Mode, str, str, Mapping[str, Any]]]:
    kinds: tuple[tuple[Mode, str], ...] = (("managed", "resource"), ("data", "data"))
    for mode, key in kinds:
        for group in parsed.get(key) or []:
            for rtype, named in (group or {}).items():
                for name, body in (named or {}).items():
                    for item in body if isinstance(body, list) else [body]:
                        yield mode, rtype, name, item or {}
    for group in parsed.get("provider") or []:
        for ptype, body in (group or {}).items():
            for item in body if isinstance(body, list) else [body]:
                yield "provider", ptype, str((item or {}).get("alias") or ""), item or {}


def _spans(lines: list[str]) -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    """(mode, type, name) -> [(first, last)] 1-based line spans, in file order."""
    starts = [i for i, text in enumerate(lines) if _TOP_LEVEL.match(text)]
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for n, start in enumerate(starts):
        match = _HEADER.match(lines[start])
        if not match:
            continue
        end = starts[n + 1] - 1 if n + 1 < len(starts) else len(lines) - 1
        if match.group(4):
            key = ("provider", match.group(5), "")
        else:
            mode = "managed" if match.group(1) == "resource" else "data"
            key = (mode, match.group(2), match.group(3))
        spans.setdefault(key, []).append((start + 1, end + 1))
    return spans


def parse_terraform(text: str, path: str | None = None) -> list[TerraformResource]:
    """Every resource, data source and provider block, with its source line span."""
    text = normalise_heredocs(text)
    try:
        parsed = _clean(_loads(text))
    except Exception as exc:  # lark raises many error types; all mean "not HCL"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        where = re.search(r"line \d+, column \d+", message)
        raise HclError(f"{type(exc).__name__}" + (f" at {where.group(0)}" if where else "")
                       ) from None
    lines = text.splitlines()
    spans = _spans(lines)
    seen: dict[tuple[str, str, str], int] = {}
    resources: list[TerraformResource] = []
    for mode, rtype, name, body in _blocks(parsed):
        key = (mode, rtype, "" if mode == "provider" else name)
        index = seen.get(key, 0)
        seen[key] = index + 1
        found = spans.get(key, [])
        span: tuple[int, int] | None = found[index] if index < len(found) else None
        first, last = span if span else (None, None)
        block = tuple(lines[span[0] - 1:span[1]]) if span else ()
        resources.append(TerraformResource(mode=mode, type=rtype, name=name,
                                           attributes=body, path=path, start_line=first,
                                           end_line=last, lines=block))
    return resources


_JSONENCODE = re.compile(r"^\$\{\s*jsonencode\((.*)\)\s*\}$", re.DOTALL)


def parse_expression(expression: str) -> Any:
    """The value of an HCL expression, e.g. the object inside ``${jsonencode({...})}``."""
    match = _JSONENCODE.match(expression.strip())
    inner = match.group(1) if match else expression
    try:
        return _clean(_loads(f"value = {inner}\n")).get("value")
    except Exception as exc:  # same as parse_terraform: any parser error means "not HCL"
        raise HclError(type(exc).__name__) from None
