"""Second-pass rules of concept recognition over the first pass's dictionary matches (pure).

All four are general: they look up names the dictionary already has, never per-term phrases.

* **Modifier**: a word right before a match that makes a more specific term of the ontology
  ("bilateral" / "both" + Cryptorchidism -> Bilateral cryptorchidism; "severe" + Hypotonia ->
  Severe hypotonia) upgrades the match, only when that term is a descendant of the matched one.
* **Coordination**: modifiers or heads shared across "and" / "or": "low-set posteriorly rotated
  ears" -> Low-set ears as well; "cleft lip and palate" -> Cleft palate as well; "protein and blood
  in the urine" -> Proteinuria as well. The new mention covers only the words it adds.
* **Abbreviations in context**: an upper-case abbreviation is accepted when the note defines it
  ("atrial septal defect (ASD)"), when it is a vetted clinical abbreviation, when it has 3 or more
  letters and one sense, or when another finding of the note lies in the same organ system as
  exactly one of its senses ("hole in the heart ... ASD" -> Atrial septal defect).
* **Normality**: words the shared negation rules find called normal ("hearing is normal",
  "normal muscle tone": `tools.negation.stated_normal`) name the abnormality of that thing when
  the dictionary has "X abnormality", "Abnormality of (the) X" or "Abnormal X" (Hearing
  abnormality, Abnormal muscle tone): a mention of it, stated absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from clinreason.tools.kg.text import Token
from clinreason.tools.negation import stated_normal

CONJUNCTIONS = frozenset(("and", "or"))
NOT_MODIFIERS = frozenset(
    ("a", "an", "the", "of", "in", "on", "at", "with", "and", "or", "no", "not", "has", "had",
     "have", "is", "are", "was", "were", "his", "her", "their", "its", "some", "any", "very")
)  # fmt: skip
"""Words before a match that never make it more specific."""
DETERMINERS = frozenset(("a", "an", "the", "his", "her", "their", "its", "some", "no"))
MODIFIER_SYNONYMS = {"both": "bilateral"}
MAX_SHARED = 3
"""Words a coordinated mention may add."""


@dataclass(frozen=True)
class Entry:
    """One dictionary name of a term."""

    term: str
    name: str
    kind: str
    """'label', 'synonym' (EXACT / curated), 'related' (RELATED / BROAD / NARROW)."""


@dataclass(frozen=True)
class Match:
    """A first- or second-pass match: tokens [start, end) name `entry.term`."""

    start: int
    end: int
    entry: Entry
    method: str
    senses: tuple[Entry, ...] = ()
    """For an abbreviation: every term it may stand for (resolved by `resolve_abbreviations`)."""


Lookup = Callable[[tuple[str, ...]], Entry | None]
"""Normalised words -> the entry they name, in text order or in another order."""


def _covered(matches: Sequence[Match]) -> set[int]:
    return {k for m in matches for k in range(m.start, m.end)}


def comma_only(text: str, tokens: Sequence[Token], k: int) -> bool:
    """Only a comma (and spaces) lies between token k - 1 and token k."""
    return k > 0 and text[tokens[k - 1].end : tokens[k].start].strip() == ","


def extend_modifiers(
    matches: list[Match],
    tokens: Sequence[Token],
    text: str,
    lookup: Lookup,
    label_key: Mapping[str, tuple[str, ...]],
    is_a: Callable[[str, str], bool],
) -> list[Match]:
    """Upgrade a match to a more specific term named by its label plus the word before it
    ("both" + Cryptorchidism), plus up to `MAX_SHARED` words after it ("SOB" + "on exertion"
    -> Exertional dyspnea, when HPO has the name "Dyspnea on exertion"), or plus the whole
    comma-separated phrase after it, put first ("Hypotonia, generalized" -> Generalized
    hypotonia; not "hypotonia, generalized seizures")."""
    covered = _covered(matches)
    out = []
    for m in matches:
        key = label_key.get(m.entry.term)
        if key:
            m = _extend_left(m, tokens, covered, lookup, key, is_a)
            key = label_key.get(m.entry.term, key)
            m = _extend_right(m, tokens, covered, lookup, key, is_a)
            m = _extend_inverted(m, tokens, text, covered, lookup, label_key, is_a)
        out.append(m)
    return out


def _extend_left(
    m: Match,
    tokens: Sequence[Token],
    covered: set[int],
    lookup: Lookup,
    key: tuple[str, ...],
    is_a: Callable[[str, str], bool],
) -> Match:
    k = m.start - 1
    if k < 0 or k in covered or tokens[m.start].phrase_break:
        return m
    word = tokens[k].norm
    if word in NOT_MODIFIERS or word[0].isdigit():
        return m
    entry = lookup((MODIFIER_SYNONYMS.get(word, word), *key))
    if entry and entry.term != m.entry.term and is_a(entry.term, m.entry.term):
        covered.add(k)
        return replace(m, start=k, entry=entry, method="modified")
    return m


def _extend_right(
    m: Match,
    tokens: Sequence[Token],
    covered: set[int],
    lookup: Lookup,
    key: tuple[str, ...],
    is_a: Callable[[str, str], bool],
) -> Match:
    last = m.end
    while (
        last < len(tokens)
        and last - m.end < MAX_SHARED
        and last not in covered
        and not tokens[last].phrase_break
    ):
        last += 1
    for end in range(last, m.end, -1):
        entry = lookup((*key, *(t.norm for t in tokens[m.end : end])))
        if entry and entry.term != m.entry.term and is_a(entry.term, m.entry.term):
            covered.update(range(m.end, end))
            return replace(m, end=end, entry=entry, method="modified")
    return m


def _extend_inverted(
    m: Match,
    tokens: Sequence[Token],
    text: str,
    covered: set[int],
    lookup: Lookup,
    label_key: Mapping[str, tuple[str, ...]],
    is_a: Callable[[str, str], bool],
) -> Match:
    key = label_key.get(m.entry.term)
    if not key or m.end >= len(tokens) or not comma_only(text, tokens, m.end):
        return m
    end = m.end + 1
    while end < len(tokens) and not tokens[end].phrase_break and end - m.end <= MAX_SHARED:
        end += 1
    if end - m.end > MAX_SHARED or any(k in covered for k in range(m.end, end)):
        return m
    entry = lookup((*(t.norm for t in tokens[m.end : end]), *key))
    if entry and entry.term != m.entry.term and is_a(entry.term, m.entry.term):
        covered.update(range(m.end, end))
        return replace(m, end=end, entry=entry, method="modified")
    return m


def distribute(
    matches: list[Match], tokens: Sequence[Token], lookup: Lookup, max_len: int = MAX_SHARED
) -> list[Match]:
    """Mentions that share a match's head or modifier across a conjunction (module doc)."""
    covered = _covered(matches)
    found: list[Match] = []
    for m in matches:
        if m.end - m.start < 2:
            continue
        words = [t.norm for t in tokens[m.start : m.end]]
        # backward: "low-set [posteriorly rotated ears]", "protein and [blood in the urine]"
        stop = m.start
        if stop > 0 and tokens[stop - 1].norm in CONJUNCTIONS and not tokens[stop].phrase_break:
            stop -= 1
        first = stop
        while (
            first > 0
            and stop - first < max_len
            and _free(tokens, covered, first - 1)
            and not tokens[first].phrase_break
        ):
            first -= 1
        for begin in range(first, stop):
            hit = _join(lookup, [t.norm for t in tokens[begin:stop]], words, backward=True)
            if hit:
                found.append(Match(begin, stop, hit, "coordinated"))
                covered.update(range(begin, stop))
                break
        # forward: "[cleft lip] and palate", "[enlarged liver] and spleen"
        start = m.end + 1
        if (
            start >= len(tokens)
            or tokens[m.end].norm not in CONJUNCTIONS
            or tokens[m.end].phrase_break
            or tokens[start].norm in DETERMINERS  # "X and a Y": a new noun phrase
        ):
            continue
        last = start
        while (
            last < len(tokens)
            and last - start < max_len
            and _free(tokens, covered, last)
            and not tokens[last].phrase_break
        ):
            last += 1
        for end in range(last, start, -1):
            hit = _join(lookup, [t.norm for t in tokens[start:end]], words, backward=False)
            if hit:
                found.append(Match(start, end, hit, "coordinated"))
                covered.update(range(start, end))
                break
    return sorted([*matches, *found], key=lambda x: x.start)


def _free(tokens: Sequence[Token], covered: set[int], k: int) -> bool:
    return k not in covered and tokens[k].norm not in CONJUNCTIONS


def _join(lookup: Lookup, new: list[str], words: list[str], backward: bool) -> Entry | None:
    """The new words joined with a tail (backward) or a head (forward) of the match's words."""
    for n in range(1, len(words)):
        key = (*new, *words[-n:]) if backward else (*words[:n], *new)
        entry = lookup(tuple(key))
        if entry is not None:
            return entry
    return None


def resolve_abbreviations(
    matches: list[Match],
    tokens: Sequence[Token],
    text: str,
    system: Callable[[str], frozenset[str]],
) -> list[Match]:
    """Keep each abbreviation match whose sense the note supports (module doc), drop the rest."""
    defined: dict[str, Entry] = {}
    for m in matches:
        if not m.senses and m.end < len(tokens):
            nxt = tokens[m.end]
            between = text[tokens[m.end - 1].end : nxt.start]
            if nxt.text.isupper() and "(" in between:
                defined[nxt.text] = m.entry
    context = {s for m in matches if not m.senses for s in system(m.entry.term)}
    out = []
    for m in matches:
        if not m.senses:
            out.append(m)
            continue
        word = tokens[m.start].text
        sense: Entry | None = defined.get(word)
        if sense is None and len(m.senses) == 1 and (len(word) >= 3 or m.entry.kind == "vetted"):
            sense = m.senses[0]
        if sense is None:
            backed = [s for s in m.senses if system(s.term) & context]
            sense = backed[0] if len(backed) == 1 else None
        if sense is not None:
            out.append(Match(m.start, m.end, sense, "abbreviation"))
    return out


NORMAL_WORDS = frozenset(("normal", "unremarkable"))
MAX_NORMAL = 3
"""Words that may be called normal ("muscle tone", "hearing")."""


def normal_findings(
    matches: list[Match],
    tokens: Sequence[Token],
    text: str,
    names: Mapping[tuple[str, ...], Entry],
    bounds: Sequence[tuple[int, int]],
) -> list[Match]:
    """Mentions (method 'normality') of the abnormality of what the text calls normal, where no
    match covers those words; the caller records them as absent."""
    taken = {k for m in matches for k in range(m.start, m.end)}
    out: list[Match] = []
    for k, tok in enumerate(tokens):
        if tok.norm not in NORMAL_WORDS:
            continue
        windows = [(k + 1, k + 1 + n) for n in range(MAX_NORMAL, 0, -1)]  # "normal X"
        for gap in (1, 2):  # "X is normal", "X was entirely normal"
            windows += [(k - gap - n, k - gap) for n in range(MAX_NORMAL, 0, -1)]
        for start, end in windows:
            if start < 0 or end > len(tokens) or any(i in taken for i in range(start, end)):
                continue
            if any(tokens[i].phrase_break for i in range(start + 1, end)):
                continue
            entry = _abnormality(tuple(t.norm for t in tokens[start:end]), names)
            s0, s1 = bounds[start]
            a, b = tokens[start].start - s0, tokens[end - 1].end - s0
            if entry is not None and stated_normal(text[s0:s1], a, b) is not None:
                out.append(Match(start, end, entry, "normality"))
                taken.update(range(start, end))
                out += _coordinated(tokens, start, end, names, taken, bounds)
                break
    return out


def _coordinated(
    tokens: Sequence[Token],
    start: int,
    end: int,
    names: Mapping[tuple[str, ...], Entry],
    taken: set[int],
    bounds: Sequence[tuple[int, int]],
) -> list[Match]:
    """The other items of a list called normal with it: "hearing and vision are normal",
    "normal tone, reflexes and gait"."""
    out: list[Match] = []
    for step in (-1, 1):
        edge = start if step < 0 else end
        while True:
            joint = edge - 1 if step < 0 else edge
            if not 0 <= joint < len(tokens) or bounds[joint] != bounds[start]:
                break
            if tokens[joint].norm in CONJUNCTIONS:
                edge = joint if step < 0 else joint + 1
            elif not tokens[edge if step < 0 else joint].phrase_break:
                break
            found = None
            for n in range(MAX_NORMAL, 0, -1):
                a, b = (edge - n, edge) if step < 0 else (edge, edge + n)
                if a < 0 or b > len(tokens) or any(i in taken for i in range(a, b)):
                    continue
                if any(tokens[i].phrase_break for i in range(a + 1, b)):
                    continue
                entry = _abnormality(tuple(t.norm for t in tokens[a:b]), names)
                if entry is not None:
                    found = Match(a, b, entry, "normality")
                    break
            if found is None:
                break
            out.append(found)
            taken.update(range(found.start, found.end))
            edge = found.start if step < 0 else found.end
    return out


def _abnormality(words: tuple[str, ...], names: Mapping[tuple[str, ...], Entry]) -> Entry | None:
    for key in (
        (*words, "abnormality"),
        ("abnormality", "of", *words),
        ("abnormality", "of", "the", *words),
        ("abnormal", *words),
    ):
        found = names.get(key)
        if found is not None:
            return found
    return None
