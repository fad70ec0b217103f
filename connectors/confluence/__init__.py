"""Confluence connector: pages selected by CQL, with bodies as readable text."""

from typing import TYPE_CHECKING

from connectors.confluence.models import ConfluencePage, ConfluenceSpace, PageVersion
from connectors.confluence.settings import ConfluenceSettings
from connectors.confluence.storage import storage_to_text
from connectors.lazy import lazy_attributes

if TYPE_CHECKING:  # the client library loads with its first use (connectors/lazy.py)
    from connectors.confluence.connector import ConfluenceConnector, build_cql, read_only_policy

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

__getattr__ = lazy_attributes(__name__, {
    "ConfluenceConnector": "connectors.confluence.connector",
    "build_cql": "connectors.confluence.connector",
    "read_only_policy": "connectors.confluence.connector",
})
