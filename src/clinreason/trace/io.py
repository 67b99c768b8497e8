"""Trace JSON read/write, schema-version checks and JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clinreason.errors import TraceFormatError
from clinreason.trace.trace import SCHEMA_VERSION, Trace


def check_schema_version(found: object, *, what: str = "trace") -> None:
    """Refuse a document written by a newer major version of the format.

    >>> check_schema_version("1.3")
    >>> check_schema_version("9.0")
    Traceback (most recent call last):
    ...
    clinreason.errors.TraceFormatError: this trace has schema_version 9.0, ...
    """
    if found is None:
        return
    major = str(found).split(".", 1)[0]
    ours = SCHEMA_VERSION.split(".", 1)[0]
    if not major.isdigit():
        raise TraceFormatError(f"this {what} has an unreadable schema_version {found!r}")
    if int(major) > int(ours):
        raise TraceFormatError(
            f"this {what} has schema_version {found}, newer than this clinreason "
            f"understands ({SCHEMA_VERSION}); upgrade clinreason to read it"
        )


def trace_from_dict(data: Any) -> Trace:
    """Validate a decoded JSON document as a `Trace`, with readable errors."""
    if not isinstance(data, dict):
        raise TraceFormatError("a trace must be a JSON object")
    check_schema_version(data.get("schema_version"))
    try:
        return Trace.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TraceFormatError(
            f"not a valid trace: {where}: {first['msg']} ({exc.error_count()} errors)"
        ) from None


def read_trace(path: Path) -> Trace:
    """Read a trace JSON file.

    Raises:
        TraceFormatError: missing file, invalid JSON, wrong shape or newer major version.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TraceFormatError(f"cannot read trace {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(f"{path} is not valid JSON: {exc}") from None
    return trace_from_dict(data)


def write_trace(trace: Trace, path: Path) -> None:
    """Write a trace as indented JSON."""
    Path(path).write_text(trace.model_dump_json(indent=2), encoding="utf-8")


def trace_json_schema() -> dict[str, Any]:
    """The JSON Schema of `Trace`, tagged with the format version."""
    schema = Trace.model_json_schema()
    schema["$id"] = f"https://clinreason.dev/schema/trace-{SCHEMA_VERSION}.json"
    schema["title"] = "clinreason Trace"
    schema["x-schema-version"] = SCHEMA_VERSION
    return schema
