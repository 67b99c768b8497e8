"""Validate and repair the arguments and attacks a model proposes.

Model output is untrusted. Each item is either accepted, repaired (with a note saying what
was changed) or dropped (with a note saying why); nothing here raises on bad items.

- `Proposal`: a generator argument — option label, scheme id, finding from the case.
- `Challenge`: a verifier attack — the generator argument it targets (`G1`, ...), the critical
  question it answers, the finding it cites, and for `better_option` the option favoured.

The verifier can only attack generator arguments, never its own or the text check's, so
model output cannot create self-attacks or attack cycles; the cycles that do occur (rival
options attacking each other) are part of the framework and handled by the semantics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clinreason.tools.argumentation.schemes import SchemeBook
from clinreason.tools.argumentation.textcheck import content_words

MAX_FINDING_CHARS = 160


@dataclass(frozen=True)
class Proposal:
    """A validated generator argument."""

    option: str
    scheme: str
    finding: str


@dataclass(frozen=True)
class Challenge:
    """A validated verifier attack on generator argument `target`."""

    target: str
    question: str
    finding: str
    option: str | None = None


def _option(value: object, options: Mapping[str, str]) -> tuple[str | None, str]:
    """(label or None, note) for a model-given option."""
    if not isinstance(value, str) or not value.strip():
        return None, f"missing option (got {value!r})"
    raw = value.strip()
    if raw in options:
        return raw, ""
    label = re.sub(r"^(option|answer|choice)\s*", "", raw, flags=re.IGNORECASE)
    label = label.strip(" .):(").upper()
    if label in options:
        return label, f"option {raw!r} read as {label}"
    folded = raw.casefold().rstrip(".")
    for key, text in options.items():
        if text.casefold().strip() == folded:
            return key, f"option text {raw!r} mapped to {key}"
    lead = re.match(r"^\(?([A-Za-z])[.):]\s", raw)
    if lead and lead.group(1).upper() in options:
        return lead.group(1).upper(), f"option {raw!r} read as {lead.group(1).upper()}"
    return None, f"unknown option {raw!r} (options are {', '.join(options)})"


def _finding(value: object) -> tuple[str | None, str]:
    if not isinstance(value, str) or not value.strip():
        return None, f"missing finding (got {value!r})"
    text = " ".join(value.split())
    if len(text) > MAX_FINDING_CHARS:
        return text[:MAX_FINDING_CHARS], f"finding cut to {MAX_FINDING_CHARS} characters"
    return text, ""


def _key(finding: str) -> tuple[str, ...]:
    return tuple(sorted(set(content_words(finding)))) or (finding.casefold(),)


def validate_proposals(
    items: Sequence[object],
    options: Mapping[str, str],
    book: SchemeBook,
    *,
    max_count: int,
) -> tuple[list[Proposal], list[str]]:
    """Keep the usable generator arguments; return them with notes on every repair or drop.

    >>> from clinreason.tools.argumentation.schemes import load_schemes
    >>> items = [{"option": "b.", "scheme": "evidence", "finding": "fever"}, {"option": "F"}]
    >>> ok, notes = validate_proposals(items, {"A": "x", "B": "y"}, load_schemes(), max_count=4)
    >>> ok
    [Proposal(option='B', scheme='clinical_evidence', finding='fever')]
    >>> notes[-1]
    "argument 2 dropped: unknown option 'F' (options are A, B)"
    """
    kept: list[Proposal] = []
    notes: list[str] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, item in enumerate(items, start=1):
        where = f"argument {number}"
        if not isinstance(item, Mapping):
            notes.append(f"{where} dropped: not a JSON object ({type(item).__name__})")
            continue
        option, why = _option(item.get("option"), options)
        if option is None:
            notes.append(f"{where} dropped: {why}")
            continue
        fixes = [why] if why else []
        raw_scheme = item.get("scheme")
        scheme = book.resolve(raw_scheme) if isinstance(raw_scheme, str) else None
        if scheme is None:
            if raw_scheme not in (None, ""):
                notes.append(f"{where} dropped: unknown scheme {raw_scheme!r}")
                continue
            scheme = book.schemes[0]
            fixes.append(f"no scheme given, assumed {scheme.id}")
        elif scheme.id != raw_scheme:
            fixes.append(f"scheme {raw_scheme!r} read as {scheme.id}")
        finding, why = _finding(item.get("finding"))
        if finding is None:
            notes.append(f"{where} dropped: {why}")
            continue
        if why:
            fixes.append(why)
        key = (option, scheme.id, _key(finding))
        if key in seen:
            notes.append(f"{where} dropped: duplicate of argument {seen[key]}")
            continue
        if len(kept) >= max_count:
            notes.append(f"{where} dropped: more than {max_count} arguments")
            continue
        seen[key] = number
        kept.append(Proposal(option=option, scheme=scheme.id, finding=finding))
        if fixes:
            notes.append(f"{where} repaired: " + "; ".join(fixes))
    return kept, notes


def _target(value: object, n_generated: int) -> tuple[str | None, str]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None, f"missing target (got {value!r})"
    raw = value.strip()
    m = re.fullmatch(r"(?:argument\s*)?([A-Za-z]?)\s*(\d+)", raw, flags=re.IGNORECASE)
    if not m:
        return None, f"dangling attack: target {raw!r} is not an argument id"
    prefix, number = m.group(1).upper(), int(m.group(2))
    if prefix not in ("", "G"):
        return None, f"target {raw!r} is not a generator argument (only G1..G{n_generated})"
    if not 1 <= number <= n_generated:
        return None, f"dangling attack: target {raw!r} does not exist (G1..G{n_generated})"
    ident = f"G{number}"
    return ident, "" if raw == ident else f"target {raw!r} read as {ident}"


def _restates(finding: str, own: str) -> bool:
    """Whether an attack's finding only repeats (part of) the attacked argument's finding.

    >>> _restates("fever", "High fever and rash"), _restates("no rash", "fever")
    (True, False)
    """
    words = set(content_words(finding))
    return bool(words) and words <= set(content_words(own))


def validate_challenges(
    items: Sequence[object],
    proposals: Sequence[Proposal],
    options: Mapping[str, str],
    book: SchemeBook,
    *,
    max_count: int,
) -> tuple[list[Challenge], list[str]]:
    """Keep the usable verifier attacks on `proposals` (ids G1..Gn), with notes.

    A challenge must target an existing generator argument, answer a critical question of
    that argument's scheme that the verifier is responsible for, and cite a finding of its
    own: one whose content words all occur in the attacked argument's finding merely restates
    it and is dropped.
    """
    kept: list[Challenge] = []
    notes: list[str] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, item in enumerate(items, start=1):
        where = f"attack {number}"
        if not isinstance(item, Mapping):
            notes.append(f"{where} dropped: not a JSON object ({type(item).__name__})")
            continue
        target, why = _target(item.get("target"), len(proposals))
        if target is None:
            notes.append(f"{where} dropped: {why}")
            continue
        fixes = [why] if why else []
        attacked = proposals[int(target[1:]) - 1]
        scheme = book[attacked.scheme]
        question_id = item.get("question")
        cq = scheme.question(question_id) if isinstance(question_id, str) else None
        if cq is None or cq.answered_by != "verifier":
            notes.append(
                f"{where} dropped: critical question {question_id!r} does not apply to "
                f"{target} (scheme {scheme.id})"
            )
            continue
        finding, why = _finding(item.get("finding"))
        if finding is None:
            notes.append(f"{where} dropped: {why}")
            continue
        if why:
            fixes.append(why)
        if _restates(finding, attacked.finding):
            notes.append(
                f"{where} dropped: its finding only restates {target}'s own finding, "
                "which is no evidence against it"
            )
            continue
        favoured: str | None = None
        if cq.id == "better_option" and item.get("option") not in (None, ""):
            favoured, why = _option(item.get("option"), options)
            if favoured is None:
                fixes.append(f"{why}; kept without a favoured option")
            elif favoured == attacked.option:
                notes.append(f"{where} dropped: it favours {target}'s own option {favoured}")
                continue
        key = (target, cq.id, _key(finding))
        if key in seen:
            notes.append(f"{where} dropped: duplicate of attack {seen[key]}")
            continue
        if len(kept) >= max_count:
            notes.append(f"{where} dropped: more than {max_count} attacks")
            continue
        seen[key] = number
        kept.append(Challenge(target=target, question=cq.id, finding=finding, option=favoured))
        if fixes:
            notes.append(f"{where} repaired: " + "; ".join(fixes))
    return kept, notes
