"""A small client for the MLflow Model Registry REST API (2.0), over httpx.

Only what the sync needs: list registered models and their versions (every page),
read a model's aliases, set and delete an alias. Nothing here downloads artifacts or
follows `source` URIs. The bearer token goes in one header and never into a message,
a log line or an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

API_PREFIX = "/api/2.0/mlflow"
# The server's caps on `max_results` (MLflow 3.x): search requests above them fail.
MODELS_PAGE_MAX = 1000
VERSIONS_PAGE_MAX = 200_000
DEFAULT_PAGE_SIZE = 500
DEFAULT_TIMEOUT_S = 10.0


class MlflowError(Exception):
    """A call to MLflow failed. The message names the call, never the token.

    `status` is None when no HTTP response came back (DNS, refused, timeout). `transient`
    says whether retrying later can help: no response, 429 and 5xx.
    """

    def __init__(
        self, message: str, *, status: int | None = None, error_code: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code

    @property
    def transient(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class RemoteModel:
    """A registered model as MLflow reports it. `aliases` maps alias → version."""

    name: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteVersion:
    """One model version as MLflow reports it (`version` is MLflow's string)."""

    name: str
    version: str
    status: str = "READY"
    source: str = ""
    run_id: str = ""
    run_link: str = ""
    description: str = ""
    user_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.version) if self.version.isdigit() else 0


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: fit for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _tags(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(t["key"]): str(t.get("value", "")) for t in items or []}


def _aliases(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(a["alias"]): str(a["version"]) for a in items or []}


def _model(data: dict[str, Any]) -> RemoteModel:
    return RemoteModel(
        name=data["name"],
        description=data.get("description", "") or "",
        tags=_tags(data.get("tags")),
        aliases=_aliases(data.get("aliases")),
    )


def _version(data: dict[str, Any]) -> RemoteVersion:
    return RemoteVersion(
        name=data["name"],
        version=str(data["version"]),
        status=data.get("status", "READY") or "READY",
        source=data.get("source", "") or "",
        run_id=data.get("run_id", "") or "",
        run_link=data.get("run_link", "") or "",
        description=data.get("description", "") or "",
        user_id=data.get("user_id", "") or "",
        tags=_tags(data.get("tags")),
    )


def _literal(value: str) -> str | None:
    """`value` as a string literal of MLflow's filter grammar, which has no escapes:
    None when it holds both kinds of quote (then only an unfiltered search finds it)."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return None


class MlflowClient:
    """Calls one tracking server. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        tracking_uri: str,
        token: str = "",
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.tracking_uri = tracking_uri.rstrip("/")
        self.page_size = page_size
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._token = token
        self._http = httpx.Client(
            base_url=self.tracking_uri + API_PREFIX,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> MlflowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- Reads --------------------------------------------------------------------

    def search_registered_models(self) -> Iterator[RemoteModel]:
        """Every registered model, page by page (aliases included)."""
        size = min(self.page_size, MODELS_PAGE_MAX)
        for page in self._pages("/registered-models/search", {"max_results": size}):
            yield from (_model(m) for m in page.get("registered_models", []))

    def search_model_versions(self, name: str) -> Iterator[RemoteVersion]:
        """Every version of one registered model, page by page."""
        params: dict[str, Any] = {"max_results": min(self.page_size, VERSIONS_PAGE_MAX)}
        literal = _literal(name)
        if literal is not None:
            params["filter"] = f"name={literal}"
        for page in self._pages("/model-versions/search", params):
            for data in page.get("model_versions", []):
                if data.get("name") == name:
                    yield _version(data)

    def get_registered_model(self, name: str) -> RemoteModel:
        data = self._request("GET", "/registered-models/get", params={"name": name})
        return _model(data["registered_model"])

    # --- Writes -------------------------------------------------------------------

    def set_alias(self, name: str, alias: str, version: str) -> None:
        """Point `alias` at `version` (MLflow moves an existing alias silently)."""
        body = {"name": name, "alias": alias, "version": version}
        self._request("POST", "/registered-models/alias", json=body)

    def delete_alias(self, name: str, alias: str) -> None:
        body = {"name": name, "alias": alias}
        self._request("DELETE", "/registered-models/alias", json=body)

    # --- Plumbing -----------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        token = ""
        while True:
            page_params = {**params, "page_token": token} if token else params
            page = self._request("GET", path, params=page_params)
            yield page
            token = page.get("next_page_token", "") or ""
            if not token:
                return
            if token in seen:
                raise MlflowError(f"MLflow {path} repeated a page token; stopping.")
            seen.add(token)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        where = f"MLflow {method} {path} at {safe_url(self.tracking_uri)}"
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.TimeoutException as exc:
            raise MlflowError(f"{where}: timed out ({type(exc).__name__}).") from None
        except httpx.HTTPError as exc:
            raise MlflowError(f"{where}: unreachable ({self._scrub(exc)}).") from None
        return self._parse(where, response)

    def _parse(self, where: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if response.is_redirect:
            target = safe_url(response.headers.get("location", ""))
            raise MlflowError(
                f"{where}: HTTP {status} redirect to {target or '?'}; set the "
                "tracking URI to the final address.",
                status=status,
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success and isinstance(data, dict):
            return data
        hint = " Check the token." if status in (401, 403) else ""
        if not isinstance(data, dict):
            raise MlflowError(
                f"{where}: HTTP {status}, not an MLflow JSON response.{hint}",
                status=status,
            )
        code = str(data.get("error_code", "") or "")
        message = self._scrub(str(data.get("message", "") or ""))[:300]
        text = f"{where}: HTTP {status} {code or 'error'}"
        raise MlflowError(
            (f"{text}: {message}" if message else f"{text}.") + hint,
            status=status,
            error_code=code,
        )

    def _scrub(self, text: object) -> str:
        """Remove the token from text that might echo it (defence in depth)."""
        text = str(text) or "no detail"
        return text.replace(self._token, "[redacted]") if self._token else text
