"""CasiMedicos-Arg (Sviridova et al., 2024) CoNLL-style TSV: `EN/dev.tsv` etc.

One `token TAG` per line (TAG in O, B-/I-Claim, B-/I-Premise), a blank line between sentences.
A document reads `QUESTION TYPE: ... CLINICAL CASE: ... <question> 1- ... 5- ... CORRECT ANSWER: n
<doctors' explanation>`. The text is rebuilt by joining tokens with spaces. Options keep their
exam labels "1".."5"; the explanation is the reference rationale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinreason.bench.base import Dataset
from clinreason.bench.files import read_text, require_file, sha256_files
from clinreason.errors import DatasetError
from clinreason.trace import Case

NAME = "casimedicos"
VERSION = "1"
SOURCE = "github.com/ixa-ehu/antidote-casimedicos (casimedicos-arg.tar.gz: EN/dev.tsv, ...)"
_HEADER = re.compile(r"^QUESTION\s+TYPE\s*:\s*(.*)$", re.IGNORECASE)
_CASE = re.compile(r"^CLINICAL\s+CASE\s*:\s*(.*)$", re.IGNORECASE)
_OPTION = re.compile(r"^([1-9])\s*(-)?\s*(.*)$", re.DOTALL)
_MISSING = {"nan", ""}
"""Option text of a missing fifth option in four-option exam years."""
_ANSWER = re.compile(
    r"^(?:CORRECT\s+ANSWER|BONNE\s+R[ÉE]PONSE|R[ÉE]PONSE\s+CORRECTE|RISPOSTA\s+CORRETTA|"
    r"RESPUESTA\s+CORRECTA)\s*:\s*([1-9])\b\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class Sentence:
    """One blank-line-separated sentence: its text and argument-component tags."""

    text: str
    line: int
    tags: list[str] = field(default_factory=list)


def read_sentences(text: str) -> list[Sentence]:
    """Sentences rebuilt from `token TAG` lines (tokens joined by single spaces).

    >>> text = "CORRECT O\\nANSWER: O\\n2 O\\n\\nIt B-Claim\\nis I-Claim\\n"
    >>> [s.text for s in read_sentences(text)]
    ['CORRECT ANSWER: 2', 'It is']
    """
    sentences: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            if tokens:
                sentences.append(Sentence(" ".join(tokens), start, tags))
            tokens, tags = [], []
            continue
        if not tokens:
            start = number
        tokens.append(parts[0])
        tags.append(parts[1] if len(parts) > 1 else "O")
    if tokens:
        sentences.append(Sentence(" ".join(tokens), start, tags))
    return sentences


def split_documents(sentences: list[Sentence], *, where: str) -> list[list[Sentence]]:
    """Group sentences into documents, each starting with `QUESTION TYPE:`."""
    documents: list[list[Sentence]] = []
    for sentence in sentences:
        if _HEADER.match(sentence.text):
            documents.append([sentence])
        elif not documents:
            raise DatasetError(f"{where} line {sentence.line}: expected 'QUESTION TYPE:' first")
        else:
            documents[-1].append(sentence)
    return documents


def _components(sentences: list[Sentence], kind: str) -> int:
    return sum(tag == f"B-{kind}" for s in sentences for tag in s.tags)


def document_to_case(doc: list[Sentence], *, case_id: str, where: str, language: str) -> Case:
    """One document as a `Case` (question, options 1-5, gold, explanation as rationale)."""
    question_type = _HEADER.match(doc[0].text).group(1).strip()  # type: ignore[union-attr]
    body: list[str] = []
    options: dict[str, str] = {}
    gold: str | None = None
    explanation: list[str] = []
    explanation_start = len(doc)
    for position, sentence in enumerate(doc[1:], start=1):
        answer = _ANSWER.match(sentence.text)
        if answer:
            gold = answer.group(1)
            explanation = [answer.group(2).strip()] if answer.group(2).strip() else []
            explanation += [s.text for s in doc[position + 1 :]]
            explanation_start = position + 1
            break
        option = _OPTION.match(sentence.text)
        expected = str(len(options) + 1)
        if option and option.group(1) == expected and (option.group(2) or options):
            # "2 text" without the hyphen is accepted once the option list has started.
            options[expected] = option.group(3).strip()
        elif options:
            last = list(options)[-1]
            options[last] = f"{options[last]} {sentence.text}"
        else:
            marker = _CASE.match(sentence.text)
            text = marker.group(1).strip() if marker else sentence.text
            if text:
                body.append(text)
    at = f"{where} line {doc[0].line}"
    options = {k: v for k, v in options.items() if v.strip().lower() not in _MISSING}
    if len(options) < 2:
        raise DatasetError(f"{at}: found {len(options)} options '1- ...'; expected at least 2")
    if not body:
        raise DatasetError(f"{at}: no clinical case or question text before the options")
    if gold is None:
        raise DatasetError(f"{at}: no 'CORRECT ANSWER: n' line after the options")
    if gold not in options:
        raise DatasetError(f"{at}: correct answer {gold} is not among options {list(options)}")
    metadata: dict[str, Any] = {
        "dataset": NAME,
        "question_type": question_type,
        "language": language,
        "n_premises": _components(doc[:explanation_start], "Premise"),
        "n_claims": _components(doc[explanation_start:], "Claim"),
    }
    return Case(
        id=case_id,
        question=body[-1],
        context=" ".join(body[:-1]),
        options=options,
        gold=gold,
        rationale=" ".join(explanation) or None,
        dataset=f"{NAME}@{VERSION}",
        metadata=metadata,
    )


def load(path: Path) -> Dataset:
    """Read one CasiMedicos-Arg TSV file (e.g. `casimedicos-arg/EN/dev.tsv`).

    Case ids are `<file stem>-<index:03d>`; the language is the parent folder name.

    Raises:
        DatasetError: missing file or a document without options or gold answer.
    """
    path = require_file(path, what="CasiMedicos-Arg TSV", source=SOURCE, suffixes=(".tsv",))
    documents = split_documents(
        read_sentences(read_text(path, what="CasiMedicos")), where=str(path)
    )
    if not documents:
        raise DatasetError(f"CasiMedicos-Arg: {path} holds no documents")
    language = path.parent.name.upper() if len(path.parent.name) == 2 else "?"
    cases = [
        document_to_case(doc, case_id=f"{path.stem}-{i:03d}", where=str(path), language=language)
        for i, doc in enumerate(documents)
    ]
    return Dataset(NAME, VERSION, tuple(cases), str(path), sha256_files([path]))
