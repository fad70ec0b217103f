"""How to reach a Confluence site: URL, deployment and credentials."""

from __future__ import annotations

from typing import ClassVar

from connectors.atlassian import AtlassianSettings


class ConfluenceSettings(AtlassianSettings):
    ENV: ClassVar[str] = "CONFLUENCE"

    # Cloud's url may omit /wiki: ``base_url`` adds it.
    page_size: int = 50  # content/search allows at most 50 when the body is expanded
    timeout: float = 75.0  # atlassian-python-api needs a number; the guard bounds retries

    @property
    def base_url(self) -> str:
        """Where ``rest/api`` lives: Cloud serves Confluence under ``/wiki``."""
        if self.is_cloud and not self.url.endswith("/wiki"):
            return f"{self.url}/wiki"
        return self.url
