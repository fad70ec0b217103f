"""On-disk cache of OSV records: one JSON file per id, valid while ``modified`` is current.

The batch query tells us each vulnerability's ``modified`` for free, so a cached record
that is at least that new is served without a request; an older one is refetched.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import TypeAdapter

_TIMESTAMP = TypeAdapter(datetime)


class VulnCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, vuln_id: str, modified: datetime) -> dict[str, Any] | None:
        """The cached record for ``vuln_id`` unless it is older than ``modified``."""
        try:
            record = json.loads(self._path(vuln_id).read_text(encoding="utf-8"))
            current = _TIMESTAMP.validate_python(record["modified"]) >= modified
            if record["id"] == vuln_id and current:
                return dict(record)
        except (OSError, ValueError, KeyError, TypeError):  # ValidationError is a ValueError
            pass  # absent or unreadable: a miss, refetched and rewritten
        return None

    def put(self, record: dict[str, Any]) -> None:
        """Write atomically, so a concurrent reader never sees half a file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._path(str(record["id"]))
        fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, ensure_ascii=False)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _path(self, vuln_id: str) -> Path:
        # Ids come from the network: quote them so none can name a path outside the cache.
        return self.directory / f"{quote(vuln_id, safe='')}.json"
