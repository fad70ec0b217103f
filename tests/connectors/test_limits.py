"""Input bombs (#17): a gzip bomb, JSON nested 200,000 deep, /dev/zero and a FIFO as a
snapshot or a diff are refused with one line, before anything is recorded."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from connectors.errors import InputRefused
from connectors.limits import ReadLimits, json_depth, loads_json, read_regular_file
from connectors.snapshot import SnapshotError, load_snapshot

MIB = 1024 * 1024


def gzip_bomb(path: Path, inflated: int) -> Path:
    """``inflated`` zero bytes, gzip-compressed a megabyte at a time (about 1,000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    block = bytes(MIB)
    with path.open("wb") as out:
        for _ in range(inflated // MIB):
            out.write(compressor.compress(block))
        out.write(compressor.flush())
    return path


def test_a_gzip_bomb_is_refused_at_the_cap(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "bomb.json.gz", 64 * MIB)
    assert bomb.stat().st_size < MIB // 8
    with pytest.raises(SnapshotError, match="inflates to more than 4 MiB; refused"):
        load_snapshot(bomb, ReadLimits(max_bytes=4 * MIB))


def test_the_default_cap_is_512_mib() -> None:
    assert ReadLimits().max_bytes == 512 * MIB


@pytest.mark.parametrize("depth", [300, 200_000])
def test_deep_json_is_refused_before_parsing(tmp_path: Path, depth: int) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b'{"format": ' + b"[" * depth + b"]" * depth + b"}")
    with pytest.raises(SnapshotError, match=f"nested {depth + 1} deep"):
        load_snapshot(deep)


def test_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{\\"]]", "b": [1, [2]]}') == 3
    assert loads_json(b'["]]]]"]', 2, "x") == ["]]]]"]
    with pytest.raises(InputRefused, match="not JSON"):
        loads_json(b'{"a": ', 5, "x")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_not_a_snapshot() -> None:
    with pytest.raises(SnapshotError, match="not a regular file \\(a character device\\)"):
        load_snapshot(Path("/dev/zero"))


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(SnapshotError, match="not a regular file \\(a FIFO\\)"):
        load_snapshot(fifo)  # opened non-blocking: no writer needed to get here


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="a directory"):
        read_regular_file(tmp_path, ReadLimits(), "snapshot")


def test_a_plain_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 * MIB))
    with pytest.raises(InputRefused, match="larger than 1 MiB"):
        read_regular_file(big, ReadLimits(max_bytes=MIB), "snapshot")


def _advisor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120,
                          check=False)


def test_the_commands_refuse_bombs_in_one_line_and_record_nothing(
        tmp_path: Path, isolated_environment: Path) -> None:
    bomb = gzip_bomb(tmp_path / "bomb.json.gz", 16 * MIB)
    fifo = tmp_path / "pipe.diff"
    os.mkfifo(fifo)
    small = {"ADVISOR_LIMITS__SNAPSHOT_MAX_BYTES": str(4 * MIB)}
    cases = [
        (["release-report", "--snapshot", str(bomb)], small, "inflates to more than 4 MiB"),
        (["release-report", "--snapshot", "/dev/zero"], {}, "not a regular file"),
        (["security-review", "--diff", str(fifo)], {}, "not a regular file (a FIFO)"),
        (["security-review", "--diff", str(bomb)], small, "inflates to more than 4 MiB"),
    ]
    for args, env, message in cases:
        result = _advisor(*args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result.stderr)
    assert not (isolated_environment / "advisor.db").exists(), "nothing recorded"


def test_gzip_reading_still_works(tmp_path: Path) -> None:
    ok = tmp_path / "ok.json.gz"
    ok.write_bytes(gzip.compress(b'{"a": [1, 2]}'))
    assert loads_json(read_regular_file(ok, ReadLimits(), "x"), 8, "x") == {"a": [1, 2]}
