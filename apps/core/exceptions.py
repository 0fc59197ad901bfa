"""Domain errors raised by services; the API maps them to 400 responses."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the operation. `fields` names the offending inputs."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class PermissionDeniedError(ApplicationError):
    """The actor may not perform this operation (mapped to 403)."""

    def __init__(self, message: str, *, code: str = "permission_denied") -> None:
        super().__init__(message, code=code)
