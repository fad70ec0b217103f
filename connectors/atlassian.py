"""What Jira and Confluence settings share: the site URL, Cloud or Server/DC, credentials,
and reading them from ``<PREFIX>_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.errors import ConnectorError

Deployment = Literal["cloud", "server"]


def deployment_of(url: str) -> Deployment:
    """A guess from the host: ``*.atlassian.net`` sites and the API gateway
    (``api.atlassian.com/ex/{product}/{cloudId}``) are Cloud; anything else is Server/DC.
    A custom domain defeats it, which is why Jira asks the site instead (serverInfo)."""
    host = (urlsplit(url).hostname or "").lower()
    cloud = host.endswith(".atlassian.net") or host in ("atlassian.net", "api.atlassian.com")
    return "cloud" if cloud else "server"


def first_error(exc: ValueError) -> str:
    """The first validation message, without pydantic's "Value error, " prefix."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)


class AtlassianSettings(BaseModel):
    """One Atlassian site. Subclasses name their product (``ENV``, which also prefixes the
    environment variables) and the extra fields the environment may set."""

    model_config = ConfigDict(frozen=True)

    ENV: ClassVar[str]  # "JIRA" or "CONFLUENCE"
    ENV_FIELDS: ClassVar[tuple[str, ...]] = ()  # read from <ENV>_<FIELD>, beyond credentials
    # True: an unset deployment stays None and the connector asks the site (Jira's
    # serverInfo); False: it is guessed from the host.
    ASKS_THE_SITE: ClassVar[bool] = False

    url: str
    deployment: Deployment | None = None  # when not given: asked of the site, or guessed
    email: str | None = None  # Cloud basic auth (with api_token)
    api_token: SecretStr | None = None
    pat: SecretStr | None = None  # Server/DC personal access token (bearer)

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{cls.ENV}_URL must be an http(s) URL")
        return url.rstrip("/")

    @model_validator(mode="before")
    @classmethod
    def _detect_deployment(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("deployment") and data.get("url"):
            guess = None if cls.ASKS_THE_SITE else deployment_of(str(data["url"]))
            return {**data, "deployment": guess}
        return data

    @model_validator(mode="after")
    def _needs_credentials(self) -> Self:
        if self.pat is None and not (self.email and self.api_token):
            env = self.ENV
            raise ValueError(f"needs {env}_EMAIL + {env}_API_TOKEN (Cloud) or {env}_PAT "
                             "(Server/DC)")
        return self

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "cloud"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *,
                 prefix: str | None = None) -> Self:
        """``<ENV>_URL``, ``_DEPLOYMENT``, ``_EMAIL``, ``_API_TOKEN``, ``_PAT`` and the
        subclass's ``ENV_FIELDS``; ``prefix`` reads another set (``CONFLUENCE_PUBLISH_``)."""
        env = os.environ if environ is None else environ
        prefix = prefix or f"{cls.ENV}_"
        product = cls.ENV.lower()
        url = env.get(f"{prefix}URL")
        if not url:
            raise ConnectorError(f"{product}: {prefix}URL is not set")
        names = ("deployment", "email", "api_token", "pat", *cls.ENV_FIELDS)
        given = {name: env.get(f"{prefix}{name.upper()}") for name in names}
        try:
            return cls(url=url, **{k: v for k, v in given.items() if v})
        except ValidationError as exc:
            loc = exc.errors()[0]["loc"]
            where = f"{prefix}{str(loc[0]).upper()}: " if loc and loc[0] != "url" else ""
            raise ConnectorError(
                f"{product}: invalid settings: {where}{first_error(exc)}") from None
