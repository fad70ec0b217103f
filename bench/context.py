"""Resources several benchmarks share in one run: replay servers and synthetic snapshots."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from bench.org import Size
from bench.replay import ReplayProcess


class Context:
    def __init__(self, *, quick: bool = False) -> None:
        self.quick = quick  # fewer repetitions (never smaller sizes)
        self.workdir = Path(tempfile.mkdtemp(prefix="rra-bench-"))
        self._servers: dict[Size, ReplayProcess] = {}
        self.snapshots: dict[Size, Path] = {}
        # Sequential, no-latency snapshot wall time and request count, per size.
        self.sequential_base: dict[Size, tuple[float, int]] = {}

    def server(self, size: Size) -> ReplayProcess:
        if size not in self._servers:
            self._servers[size] = ReplayProcess(size.prs, size.issues)
        return self._servers[size]

    def start_servers(self, sizes: Iterable[Size]) -> None:
        """Launch every size's server now; each builds its org while others work."""
        for size in sizes:
            self.server(size)

    def stop_servers(self) -> None:
        for server in self._servers.values():
            server.close()
        self._servers.clear()

    def close(self) -> None:
        self.stop_servers()
        shutil.rmtree(self.workdir, ignore_errors=True)
