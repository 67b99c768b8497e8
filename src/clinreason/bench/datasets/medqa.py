"""MedQA (Jin et al., 2021) JSON lines, e.g. `data_clean/questions/US/4_options/...test.jsonl`.

Each line: `{"question", "options": {"A": ...}, "answer": text, "answer_idx": "A",
"meta_info": "step1"}`.
Case ids are the 0-based line index padded to 4 digits, as MIRAGE numbers MedQA-US test items.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clinreason.bench.base import Dataset
from clinreason.bench.files import (
    field,
    options_from,
    read_jsonl,
    require_file,
    sha256_files,
)
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "medqa"
VERSION = "1"
SOURCE = "github.com/jind11/MedQA (data_clean/questions/US/*.jsonl)"


def record_to_case(index: int, record: Mapping[str, Any], *, where: str = "") -> Case:
    """One MedQA line as a `Case`; `meta_info` becomes `metadata["step"]`.

    >>> c = record_to_case(3, {"question": "Q?", "options": {"A": "x", "B": "y"},
    ...     "answer": "y", "answer_idx": "B", "meta_info": "step1"})
    >>> c.id, c.gold, c.metadata["step"]
    ('0003', 'B', 'step1')
    """
    where = where or f"item {index}"
    record = dict(record)
    options = options_from(field(record, "options", where=where, kind=(dict, list)), where=where)
    gold = record.get("answer_idx")
    if gold is None and record.get("answer") is not None:
        matches = [k for k, v in options.items() if v.strip() == str(record["answer"]).strip()]
        gold = matches[0] if len(matches) == 1 else None
    if gold is not None and str(gold) not in options:
        raise DatasetError(f"{where}: answer_idx {gold!r} is not one of {list(options)}")
    metadata: dict[str, Any] = {"dataset": NAME}
    if record.get("meta_info"):
        metadata["step"] = str(record["meta_info"])
    return Case(
        id=f"{index:04d}",
        question=field(record, "question", where=where),
        options=options,
        gold=None if gold is None else str(gold),
        dataset=f"{NAME}@{VERSION}",
        metadata=metadata,
    )


def load(path: Path) -> Dataset:
    """Read a MedQA JSON-lines file.

    Raises:
        DatasetError: missing file or a malformed line (file and line named).
    """
    path = require_file(path, what="MedQA JSONL", source=SOURCE, suffixes=(".jsonl", ".json"))
    cases = [
        record_to_case(index, record, where=f"{path} line {number}")
        for index, (number, record) in enumerate(read_jsonl(path, what="MedQA"))
    ]
    return Dataset(NAME, VERSION, tuple(cases), str(path), sha256_files([path]))
