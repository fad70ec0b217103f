"""Confluence connector: pages selected by CQL, with bodies as readable text."""

from connectors.confluence.connector import ConfluenceConnector, build_cql, read_only_policy
from connectors.confluence.models import ConfluencePage, ConfluenceSpace, PageVersion
from connectors.confluence.settings import ConfluenceSettings
from connectors.confluence.storage import storage_to_text

__all__ = [
    "ConfluenceConnector",
    "ConfluencePage",
    "ConfluenceSettings",
    "ConfluenceSpace",
    "PageVersion",
    "build_cql",
    "read_only_policy",
    "storage_to_text",
]
