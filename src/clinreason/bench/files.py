"""File helpers shared by the dataset loaders: existence checks, hashing, JSON reading.

Loaders never download anything. A missing file raises `DatasetError` naming the path and
where the file comes from, so the user knows what to put where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from clinreason.errors import DatasetError


def require_file(path: Path, *, what: str, source: str, suffixes: Iterable[str] = ()) -> Path:
    """`path` as an existing file, else a `DatasetError` that says where to get it.

    Args:
        path: The file the user gave.
        what: Human name of the file ("MIRAGE benchmark.json").
        source: Where it comes from upstream (repository and path).
        suffixes: Accepted file suffixes (empty = any).

    Raises:
        DatasetError: the file is missing, is a directory, or has the wrong suffix.
    """
    path = Path(path)
    if not path.exists():
        raise DatasetError(
            f"{what} not found at {path}. This harness never downloads data: get it from "
            f"{source} and pass its local path (e.g. put it at {path})."
        )
    if path.is_dir():
        raise DatasetError(f"{what}: expected a file, got the directory {path}")
    allowed = tuple(suffixes)
    if allowed and not path.name.lower().endswith(allowed):
        raise DatasetError(f"{what}: {path} should end with {' or '.join(allowed)}")
    return path


def require_dir(path: Path, *, what: str, source: str) -> Path:
    """`path` as an existing directory (see `require_file`)."""
    path = Path(path)
    if not path.is_dir():
        raise DatasetError(
            f"{what} not found at {path}. This harness never downloads data: get it from "
            f"{source} and pass the local directory."
        )
    return path


def sha256_files(paths: Iterable[Path]) -> str:
    """SHA-256 of the files' bytes; for several files, of their names and contents in order.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = Path(d, "a.txt"); _ = p.write_bytes(b"abc")
    >>> sha256_files([p])[:16]
    'ba7816bf8f01cfea'
    """
    paths = list(paths)
    if len(paths) == 1:
        return _sha256(paths[0])
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + _sha256(path).encode() + b"\n")
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_text(path: Path, *, what: str) -> str:
    """File contents as UTF-8 text, with a clear error for bad encodings."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{what}: {path} is not UTF-8 text ({exc})") from None


def read_json(path: Path, *, what: str) -> Any:
    """One JSON document."""
    try:
        return json.loads(read_text(path, what=what))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{what}: {path} line {exc.lineno}: invalid JSON ({exc.msg})") from None


def read_jsonl(path: Path, *, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of a JSON-lines file."""
    for number, line in enumerate(read_text(path, what=what).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{what}: {path} line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise DatasetError(f"{what}: {path} line {number}: expected a JSON object")
        yield number, value


def field(
    record: dict[str, Any], key: str, *, where: str, kind: type | tuple[type, ...] = str
) -> Any:
    """`record[key]`, checked for presence and type; the error names file, line and field."""
    if key not in record or record[key] is None:
        raise DatasetError(f"{where}: missing field {key!r}")
    value = record[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise DatasetError(f"{where}: field {key!r} should be {names}, got {type(value).__name__}")
    return value


def options_from(value: Any, *, where: str) -> dict[str, str]:
    """Options as an ordered {label: text} dict from a dict or a list (labelled A, B, ...)."""
    if isinstance(value, dict):
        options = {str(k).strip(): str(v) for k, v in value.items()}
    elif isinstance(value, list):
        options = {chr(ord("A") + i): str(v) for i, v in enumerate(value)}
    else:
        raise DatasetError(f"{where}: field 'options' should be an object or a list")
    if len(options) < 2:
        raise DatasetError(f"{where}: a multiple-choice item needs at least two options")
    return options
