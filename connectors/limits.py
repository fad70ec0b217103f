"""Bounded reading: regular files only, inflation capped, JSON nesting capped.

A snapshot or a diff is untrusted input. ``/dev/zero`` would be read until memory runs
out, a FIFO blocks forever, a 5 MB gzip file can inflate to gigabytes, and JSON nested
200,000 deep exhausts the parser's recursion: each is refused here with one line
before anything is parsed, recorded or run.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import zlib
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from connectors.errors import InputRefused

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
# A JSON string (unrolled: the regex engine stays in its fast loop), or one bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPEN_CLOSE = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class ReadLimits(BaseModel):
    """What a caller allows (the CLI passes the ``limits`` settings)."""

    max_bytes: int = Field(default=512 * 1024 * 1024, ge=1)  # after decompression
    max_depth: int = Field(default=256, ge=1)


def read_regular_file(path: Path, limits: ReadLimits, what: str) -> bytes:
    """The bytes of a regular file (inflated if gzip), never more than ``max_bytes``."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block open()
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputRefused(f"{what} not found (no such file): {path}") from None
    except OSError as exc:
        raise InputRefused(f"{what} {path}: cannot open ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputRefused(f"{what} {path}: not a regular file ({_kind(mode)}); refused")
    with os.fdopen(fd, "rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        if head == GZIP_MAGIC:
            return _inflate(handle, limits.max_bytes, f"{what} {path}")
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise InputRefused(f"{what} {path}: larger than {_size(limits.max_bytes)}; refused "
                           "(limits.snapshot_max_bytes)")
    return data


def inflate(data: bytes, max_bytes: int, what: str) -> bytes:
    """Decompress gzip data held in memory, refusing past ``max_bytes``."""
    import io

    return _inflate(io.BytesIO(data), max_bytes, what)


def _inflate(handle: Any, max_bytes: int, what: str) -> bytes:
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
            while chunk := unzipped.read(_CHUNK):
                out += chunk
                if len(out) > max_bytes:
                    raise InputRefused(
                        f"{what}: inflates to more than {_size(max_bytes)}; refused "
                        "(limits.snapshot_max_bytes)")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputRefused(f"{what}: truncated or not gzip ({type(exc).__name__})") from None
    return bytes(out)


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings ignored), in C loops."""
    brackets = _JSON_STRING.sub(b"", data).translate(_OPEN_CLOSE, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, max(accumulate(memoryview(brackets).cast("b"))))


def loads_json(data: bytes | str, max_depth: int, what: str) -> Any:
    """``json.loads`` after refusing nesting deeper than ``max_depth``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    depth = json_depth(raw)
    if depth > max_depth:
        raise InputRefused(f"{what}: JSON nested {depth} deep (at most {max_depth}); refused")
    try:
        return json.loads(raw)
    except RecursionError:  # belt and braces: never a crash
        raise InputRefused(f"{what}: JSON nested too deeply; refused") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputRefused(f"{what}: truncated or not JSON ({type(exc).__name__})") from None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _size(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"
