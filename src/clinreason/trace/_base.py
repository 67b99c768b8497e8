"""Base class for every persisted model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict


class DataModel(BaseModel):
    """Strict model: unknown fields are errors; field docstrings become schema descriptions."""

    model_config = ConfigDict(
        extra="forbid", use_attribute_docstrings=True, ser_json_inf_nan="constants"
    )


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def fallback_step_id() -> str:
    """A unique id for a step built outside a `TraceBuilder` (which assigns s1, s2, ...)."""
    return "x" + uuid.uuid4().hex[:8]
