"""Normalised Confluence pages: plain pydantic models, no library objects leak out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class PageVersion(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    when: datetime
    by: str | None = None  # display name


class ConfluencePage(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    space_key: str | None = None
    version: PageVersion
    last_modified: datetime
    labels: list[str] = Field(default_factory=list)
    ancestors: list[str] = Field(default_factory=list)  # titles, root first
    url: str | None = None
    body_text: str = ""  # storage XHTML as readable text (see storage.py)


class ConfluenceSpace(BaseModel):
    """The pages one CQL query selected (usually one space, optionally narrowed)."""

    model_config = ConfigDict(frozen=True)

    schema_version: str = SCHEMA_VERSION
    space: str | None = None
    cql: str
    pages: list[ConfluencePage] = Field(default_factory=list)
