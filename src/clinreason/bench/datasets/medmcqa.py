"""MedMCQA (Pal et al., 2022) JSON lines: `dev.json` / `train.json` / `test.json` of the release.

Each line: `{"id", "question", "opa", "opb", "opc", "opd", "cop", "choice_type", "exp",
"subject_name", "topic_name"}`. In the original release `cop` is 1-4 (A-D); Hugging Face exports
use 0-3: pass `cop_base=0` for those. The explanation `exp` is the reference rationale.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clinreason.bench.base import Dataset
from clinreason.bench.files import field, read_jsonl, require_file, sha256_files
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "medmcqa"
VERSION = "1"
SOURCE = "github.com/medmcqa/medmcqa (data.tar.gz: dev.json, JSON lines)"
_KEYS = ("opa", "opb", "opc", "opd")


def record_to_case(record: Mapping[str, Any], *, cop_base: int = 1, where: str = "") -> Case:
    """One MedMCQA line as a `Case`.

    >>> c = record_to_case({"id": "x1", "question": "Q?", "opa": "a", "opb": "b", "opc": "c",
    ...     "opd": "d", "cop": 2, "exp": "because", "subject_name": "Anatomy"})
    >>> c.gold, c.rationale, c.metadata["subject"]
    ('B', 'because', 'Anatomy')
    """
    record = dict(record)
    where = where or str(record.get("id", "item"))
    options = {
        chr(ord("A") + i): str(field(record, k, where=where, kind=(str, int, float)))
        for i, k in enumerate(_KEYS)
    }
    gold: str | None = None
    cop = record.get("cop")
    if cop is not None and cop != -1:
        if not isinstance(cop, int) or isinstance(cop, bool):
            raise DatasetError(f"{where}: field 'cop' should be an integer, got {cop!r}")
        index = cop - cop_base
        if not 0 <= index < len(_KEYS):
            hint = " (0-3 looks like a Hugging Face export: use cop_base=0)" if cop == 0 else ""
            raise DatasetError(f"{where}: cop={cop} is out of range for cop_base={cop_base}{hint}")
        gold = chr(ord("A") + index)
    metadata: dict[str, Any] = {"dataset": NAME}
    for key, meta in (
        ("subject_name", "subject"),
        ("topic_name", "topic"),
        ("choice_type", "choice_type"),
    ):
        if record.get(key):
            metadata[meta] = str(record[key])
    explanation = record.get("exp")
    return Case(
        id=str(field(record, "id", where=where)),
        question=field(record, "question", where=where),
        options=options,
        gold=gold,
        rationale=str(explanation).strip() or None if explanation else None,
        dataset=f"{NAME}@{VERSION}",
        metadata=metadata,
    )


def load(path: Path, *, cop_base: int = 1) -> Dataset:
    """Read a MedMCQA JSON-lines file.

    Raises:
        DatasetError: missing file, bad line, or a `cop` outside the range for `cop_base`.
    """
    if cop_base not in (0, 1):
        raise DatasetError(f"MedMCQA: cop_base must be 0 or 1, got {cop_base}")
    path = require_file(
        path, what="MedMCQA JSON lines", source=SOURCE, suffixes=(".json", ".jsonl")
    )
    cases = [
        record_to_case(record, cop_base=cop_base, where=f"{path} line {number}")
        for number, record in read_jsonl(path, what="MedMCQA")
    ]
    return Dataset(NAME, VERSION, tuple(cases), str(path), sha256_files([path]))
