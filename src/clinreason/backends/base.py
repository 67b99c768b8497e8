"""The `Backend` protocol: one async method that turns a `GenerateRequest` into a `Generation`."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from clinreason.trace import ComponentSpec, GenerateRequest, Generation


@runtime_checkable
class Backend(Protocol):
    """Access to a language model.

    Implementations raise `clinreason.errors.BackendError` subclasses on failure and never
    return an error message as generated text.
    """

    max_concurrency: int
    """How many `generate` calls may run at once (1 for an embedded llama.cpp model)."""

    @property
    def spec(self) -> ComponentSpec:
        """Name, version and configuration (model, base URL, ...); never secrets."""
        ...

    async def generate(self, request: GenerateRequest) -> Generation:
        """Generate `request.n` completions for the request."""
        ...

    async def aclose(self) -> None:
        """Release resources (HTTP connections, the loaded model)."""
        ...
