"""HPO's own names for the calculator's yes/no criteria, through the shared `hp.obo` loader.

The extractor's phrase lists (`findings_terms`) are clinreason's. A list *names* an HPO term when
one of its phrases matches the whole of the term's label or of one of its EXACT synonyms
("melena" names HP:0002249 Melena, "cerebrovascular accident" names HP:0001297 Stroke). The
other EXACT names of the terms a list names (lay wording, UK spellings, other word orders) are
then recognised for that criterion too, each mention saying which HPO name matched. The names
come from `tools.kg.synonyms.load_synonyms()`, the loader the HPO graph, the second reader and
the retrieval corpus use; without `hp.obo` (`make kg-data`) nothing is added.

Left out, as general rules: abbreviations (their sense depends on context), one-word synonyms
(often a looser gloss than the label: "Slowness" for Lethargy; one-word labels are kept), names
of fewer than 4 letters, and phrases with an open-ended word pattern (`\\w+oma`,
`[a-z-]+ectomy`): such a phrase stands for a word family, not for one concept.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from clinreason.tools.kg.synonyms import SynonymTable, load_synonyms

OPEN_ENDED = re.compile(r"\\w[+*]|\]\+|\]\*|\\S[+*]|\.\*|\.\+")
"""A regex fragment with an open-ended word pattern (a word family, not one concept)."""
MIN_CHARS = 4


@dataclass(frozen=True)
class HpoName:
    """One HPO name added to a criterion's phrases."""

    pattern: re.Pattern[str]
    term: str
    label: str
    name: str
    kind: str
    """e.g. 'hp.obo@2025-01-16 EXACT layperson' ('label' for the term's label)."""

    def describe(self) -> str:
        """e.g. 'HPO name "Low blood pressure" of HP:0002615 Hypotension, hp.obo@... EXACT'."""
        return f'HPO name "{self.name}" of {self.term} {self.label}, {self.kind}'


@dataclass(frozen=True)
class _Names:
    """Every label and EXACT synonym of a table, one a line, for whole-name matching."""

    text: str
    starts: list[int]
    owners: list[tuple[str, str]]
    """(term id, kind) of each line."""
    terms_of: dict[str, frozenset[str]]
    """Lower-cased name -> the terms it names."""


_BUILT: dict[int, tuple[SynonymTable, _Names]] = {}


def _names(table: SynonymTable) -> _Names:
    built = _BUILT.get(id(table))
    if built is None or built[0] is not table:
        built = _BUILT[id(table)] = (table, _build(table))
    return built[1]


def _build(table: SynonymTable) -> _Names:
    lines: list[str] = []
    owners: list[tuple[str, str]] = []
    for tid, label in table.labels.items():
        lines.append(label)
        owners.append((tid, "label"))
        for s in table.synonyms(tid, ("EXACT",)):
            if s.type != "abbreviation":
                lines.append(s.text)
                owners.append((tid, f"hp.obo@{table.release} {s.describe()}"))
    starts, pos = [], 0
    terms_of: dict[str, set[str]] = {}
    for line, (tid, _) in zip(lines, owners, strict=True):
        starts.append(pos)
        pos += len(line) + 1
        terms_of.setdefault(" ".join(line.lower().split()), set()).add(tid)
    frozen = {k: frozenset(v) for k, v in terms_of.items()}
    return _Names("\n".join(lines), starts, owners, frozen)


def _phrase_regex(name: str) -> re.Pattern[str]:
    """A name as a case-insensitive whole-word regex: words joined by spaces or hyphens, the
    last one also with a plural s."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", name.strip()) if w]
    tail = "(?:e?s)?" if name[-1:].isalpha() else ""
    return re.compile(r"(?i)(?<![\w-])" + r"[\s-]+".join(words) + tail + r"(?![\w-])")


def named_terms(fragments: tuple[str, ...], table: SynonymTable) -> list[str]:
    """HPO terms whose label or an EXACT synonym one of the fragments matches as a whole."""
    names = _names(table)
    closed = [f for f in fragments if not OPEN_ENDED.search(f)]
    sensitive = [f[3:] for f in closed if f.startswith("(C)")]
    insensitive = [f for f in closed if not f.startswith("(C)")]
    found: dict[str, None] = {}
    for flags, group in (("(?im)", insensitive), ("(?m)", sensitive)):
        if not group:
            continue
        rx = re.compile(flags + "^(?:" + "|".join(f"(?:{g})" for g in group) + ")$")
        for m in rx.finditer(names.text):
            line = bisect.bisect_right(names.starts, m.start()) - 1
            found[names.owners[line][0]] = None
    return list(found)


def inside_other_term(
    text: str, start: int, end: int, named: frozenset[str], path: str | None = None
) -> bool:
    """Whether the match lies inside a longer HPO name (up to 3 more words on either side) of a
    term outside `named`: "arterial hypertension" in "pulmonary arterial hypertension"."""
    table = load_synonyms(path)
    if table is None:
        return False
    terms_of = _names(table).terms_of
    before = re.findall(r"[\w'-]+", text[max(0, start - 60) : start])[-3:]
    after = re.findall(r"[\w'-]+", text[end : end + 60])[:3]
    core = text[start:end].lower().split()
    for i in range(len(before) + 1):
        for j in range(len(after) + 1):
            if i == j == 0:
                continue
            words = [w.lower() for w in before[len(before) - i :]] + core + after[:j]
            found = terms_of.get(" ".join(w.lower() for w in words))
            if found and not found & named:
                return True
    return False


@lru_cache(maxsize=512)
def hpo_names(fragments: tuple[str, ...], path: str | None = None) -> tuple[HpoName, ...]:
    """The HPO names (labels and EXACT synonyms, no abbreviations) of the terms `fragments`
    name, apart from those the fragments already match; () without an `hp.obo`."""
    table = load_synonyms(path)
    if table is None:
        return ()
    own = [re.compile(f[3:] if f.startswith("(C)") else "(?i)" + f) for f in fragments]
    out: list[HpoName] = []
    seen: set[str] = set()
    for tid in named_terms(fragments, table):
        label = table.labels[tid]
        candidates = [(label, "label")] + [
            (s.text, f"hp.obo@{table.release} {s.describe()}")
            for s in table.synonyms(tid, ("EXACT",))
            if s.type != "abbreviation"
        ]
        for name, kind in candidates:
            if name.lower() in seen or len(re.sub(r"[^A-Za-z]", "", name)) < MIN_CHARS:
                continue
            seen.add(name.lower())
            if kind != "label" and len(name.split()) < 2:
                continue
            if any(rx.fullmatch(name) for rx in own):
                continue  # the list has it already
            out.append(HpoName(_phrase_regex(name), tid, label, name, kind))
    return tuple(out)
