"""Exception hierarchy: every error a user can trigger is a `ClinReasonError`."""

from __future__ import annotations

from typing import ClassVar


class ClinReasonError(Exception):
    """Base for all errors raised by this package."""


class ConfigError(ClinReasonError):
    """Bad user input or configuration; the message says how to fix it."""


class MissingDependencyError(ConfigError):
    """An optional dependency is not installed; the message names the pip extra."""


class DatasetError(ClinReasonError):
    """A malformed or missing dataset file; the message names file, line and field."""


class TraceFormatError(ClinReasonError):
    """A trace file that cannot be read (bad JSON, wrong shape, newer schema major version)."""


class ParseError(ClinReasonError):
    """Model output that does not have the structure a strategy requires."""


class InputError(ClinReasonError):
    """A clinical input that cannot be used as given (absurd value, unknown unit, missing field)."""


class BackendError(ClinReasonError):
    """A language-model backend failed. Never turned into an answer."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        detail = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{backend}: {message}{detail}")
        self.backend = backend
        self.status = status
        self.retry_after = retry_after


class BackendUnavailable(BackendError):
    """Connection refused or a 5xx response."""

    retryable = True


class BackendRateLimited(BackendError):
    """HTTP 429; honours Retry-After."""

    retryable = True


class BackendTimeout(BackendError):
    """The request timed out."""

    retryable = True


class BackendRequestError(BackendError):
    """A 4xx other than 429: never retried."""


class BackendBadResponse(BackendError):
    """A malformed response body (not JSON, no choices); retried, as the issue asks."""

    retryable = True
