"""PubMedQA (Jin et al., 2019) `ori_pqal.json`: expert-labelled questions with their abstracts.

Format: `{pmid: {"QUESTION", "CONTEXTS": [...], "LABELS": [...], "MESHES", "YEAR",
"final_decision": "yes"|"no"|"maybe", "LONG_ANSWER"}}`. Options are the same as in MIRAGE's
PubMedQA* (A = yes, B = no, C = maybe) and the gold answer is the letter, so a run on this file
and one on MIRAGE score alike. The abstract sections (labelled) become the context; the
conclusion `LONG_ANSWER` is the reference rationale.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clinreason.bench.base import Dataset
from clinreason.bench.files import field, read_json, require_file, sha256_files
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "pubmedqa"
VERSION = "1"
SOURCE = "github.com/pubmedqa/pubmedqa, file data/ori_pqal.json"
OPTIONS = {"A": "yes", "B": "no", "C": "maybe"}
_LETTER = {text: label for label, text in OPTIONS.items()}


def record_to_case(pmid: str, record: Mapping[str, Any], *, where: str = "") -> Case:
    """One PQA-L item as a `Case`.

    >>> c = record_to_case("1", {"QUESTION": "Does X help?", "CONTEXTS": ["We did Y."],
    ...     "LABELS": ["METHODS"], "final_decision": "no", "LONG_ANSWER": "It does not."})
    >>> c.gold, c.options["B"], c.context, c.rationale
    ('B', 'no', 'METHODS: We did Y.', 'It does not.')
    """
    where = where or f"pmid {pmid}"
    record = dict(record)
    contexts = field(record, "CONTEXTS", where=where, kind=list)
    labels = record.get("LABELS") or []
    if len(labels) == len(contexts):
        parts = [f"{label}: {text}" for label, text in zip(labels, contexts, strict=True)]
    else:
        parts = [str(text) for text in contexts]
    decision = record.get("final_decision")
    gold: str | None = None
    if decision is not None:
        gold = _LETTER.get(str(decision).strip().lower())
        if gold is None:
            raise DatasetError(f"{where}: final_decision {decision!r} is not yes/no/maybe")
    metadata: dict[str, Any] = {"dataset": NAME, "pmid": pmid}
    if record.get("YEAR"):
        metadata["year"] = str(record["YEAR"])
    if record.get("MESHES"):
        metadata["meshes"] = [str(m) for m in record["MESHES"]]
    long_answer = record.get("LONG_ANSWER")
    return Case(
        id=str(pmid),
        question=field(record, "QUESTION", where=where),
        context="\n\n".join(parts),
        options=dict(OPTIONS),
        gold=gold,
        rationale=str(long_answer) if long_answer else None,
        dataset=f"{NAME}@{VERSION}",
        metadata=metadata,
    )


def load(path: Path) -> Dataset:
    """Read `ori_pqal.json` (or `test_set.json` / a file of the same shape).

    Raises:
        DatasetError: missing file, bad JSON, or a malformed item (named by PMID).
    """
    path = require_file(path, what="PubMedQA ori_pqal.json", source=SOURCE, suffixes=(".json",))
    data = read_json(path, what="PubMedQA")
    if not isinstance(data, dict):
        raise DatasetError(f"PubMedQA: {path} should hold an object {{pmid: item}}")
    cases = []
    for pmid, record in data.items():
        if not isinstance(record, dict):
            raise DatasetError(f"PubMedQA: {path}: pmid {pmid}: item should be an object")
        cases.append(record_to_case(str(pmid), record, where=f"{path}: pmid {pmid}"))
    return Dataset(NAME, VERSION, tuple(cases), str(path), sha256_files([path]))
