"""MIRAGE `benchmark.json` (Xiong et al., 2024): MMLU-Med, MedQA-US, MedMCQA, PubMedQA*, BioASQ-Y/N.

Format: `{subset: {qid: {"question", "options": {"A": ...}, "answer": "A", "PMID"?: [...]}}}`.
Case ids are `subset/qid` (qids are only unique within a subset); `metadata["dataset"]` is the
subset, so results break down by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clinreason.bench.base import Dataset
from clinreason.bench.files import field, options_from, read_json, require_file, sha256_files
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "mirage"
VERSION = "1"
SOURCE = "github.com/Teddy-XiongGZ/MIRAGE, file benchmark.json"
SUBSETS = ("mmlu", "medqa", "medmcqa", "pubmedqa", "bioasq")


def record_to_case(subset: str, qid: str, record: Mapping[str, Any], *, where: str = "") -> Case:
    """One MIRAGE item as a `Case`.

    >>> c = record_to_case("bioasq", "q1", {"question": "Is X a Y?",
    ...     "options": {"A": "yes", "B": "no"}, "answer": "A", "PMID": [1]})
    >>> c.id, c.gold, c.metadata["dataset"]
    ('bioasq/q1', 'A', 'bioasq')
    """
    where = where or f"{subset}/{qid}"
    record = dict(record)
    options = options_from(field(record, "options", where=where, kind=(dict, list)), where=where)
    gold = record.get("answer")
    if gold is not None and str(gold) not in options:
        raise DatasetError(f"{where}: answer {gold!r} is not one of the options {list(options)}")
    metadata: dict[str, Any] = {"dataset": subset, "qid": qid}
    if record.get("PMID"):
        metadata["pmid"] = [str(p) for p in record["PMID"]]
    return Case(
        id=f"{subset}/{qid}",
        question=field(record, "question", where=where),
        options=options,
        gold=None if gold is None else str(gold),
        dataset=f"{NAME}@{VERSION}",
        metadata=metadata,
    )


def load(path: Path, *, subsets: Iterable[str] | None = None) -> Dataset:
    """Read `benchmark.json` (or a file of the same shape), optionally only some subsets.

    Raises:
        DatasetError: missing file, bad JSON, or a malformed item (named by subset and qid).
    """
    path = require_file(path, what="MIRAGE benchmark.json", source=SOURCE, suffixes=(".json",))
    data = read_json(path, what="MIRAGE")
    if not isinstance(data, dict):
        raise DatasetError(f"MIRAGE: {path} should hold an object {{subset: {{qid: item}}}}")
    wanted = list(subsets) if subsets is not None else list(data)
    unknown = [s for s in wanted if s not in data]
    if unknown:
        raise DatasetError(f"MIRAGE: {path} has no subset {unknown}; it has {sorted(data)}")
    cases: list[Case] = []
    for subset in wanted:
        items = data[subset]
        if not isinstance(items, dict):
            raise DatasetError(f"MIRAGE: {path}: subset {subset!r} should map qid -> item")
        for qid, record in items.items():
            where = f"{path}: {subset}/{qid}"
            if not isinstance(record, dict):
                raise DatasetError(f"{where}: item should be an object")
            cases.append(record_to_case(subset, str(qid), record, where=where))
    name = NAME if subsets is None else f"{NAME}[{','.join(wanted)}]"
    return Dataset(name, VERSION, tuple(cases), str(path), sha256_files([path]))
