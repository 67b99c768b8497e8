"""MMLU (Hendrycks et al., 2021) CSV files: `data/test/<subject>_test.csv`, no header.

Columns: question, A, B, C, D, answer letter. A directory loads the medical subjects MIRAGE
calls MMLU-Med (or those given); a single file loads that subject. Case ids are
`<subject>-<index:03d>`, as MIRAGE numbers them; `metadata["subject"]` is the subject.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from clinreason.bench.base import Dataset
from clinreason.bench.files import read_text, require_file, sha256_files
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "mmlu"
VERSION = "1"
SOURCE = "github.com/hendrycks/test (data.tar: data/test/<subject>_test.csv)"
MEDICAL_SUBJECTS = (
    "anatomy",
    "clinical_knowledge",
    "college_biology",
    "college_medicine",
    "medical_genetics",
    "professional_medicine",
)
_LABELS = ("A", "B", "C", "D")


def row_to_case(subject: str, index: int, row: Sequence[str], *, where: str = "") -> Case:
    """One CSV row as a `Case`.

    >>> row_to_case("anatomy", 0, ["Q?", "w", "x", "y", "z", "C"]).id
    'anatomy-000'
    """
    where = where or f"{subject} row {index + 1}"
    if len(row) != 6:
        raise DatasetError(f"{where}: expected 6 columns (question, A-D, answer), got {len(row)}")
    gold = row[5].strip().upper()
    if gold not in _LABELS:
        raise DatasetError(f"{where}: answer column {row[5]!r} is not one of A-D")
    return Case(
        id=f"{subject}-{index:03d}",
        question=row[0],
        options=dict(zip(_LABELS, row[1:5], strict=True)),
        gold=gold,
        dataset=f"{NAME}@{VERSION}",
        metadata={"dataset": NAME, "subject": subject},
    )


def _subject(path: Path) -> str:
    stem = path.stem
    for suffix in ("_test", "_dev", "_val"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def load(path: Path, *, subjects: Iterable[str] | None = None) -> Dataset:
    """Read one `<subject>_test.csv`, or the subjects' files from a directory.

    Raises:
        DatasetError: missing file(s) or a malformed row (file and row named).
    """
    path = Path(path)
    if path.is_dir():
        wanted = tuple(subjects) if subjects is not None else MEDICAL_SUBJECTS
        files = [path / f"{s}_test.csv" for s in wanted]
        missing = [f.name for f in files if not f.is_file()]
        if missing:
            raise DatasetError(
                f"MMLU: {path} lacks {', '.join(missing)}. Get the CSVs from {SOURCE} "
                "(this harness never downloads data)."
            )
    else:
        files = [require_file(path, what="MMLU CSV", source=SOURCE, suffixes=(".csv",))]
    cases: list[Case] = []
    for file in files:
        subject = _subject(file)
        reader = csv.reader(io.StringIO(read_text(file, what="MMLU"), newline=""))
        for index, row in enumerate(reader):
            cases.append(row_to_case(subject, index, row, where=f"{file} row {index + 1}"))
    return Dataset(NAME, VERSION, tuple(cases), str(path), sha256_files(files))
