"""`grounding`: what the reasoning asserts about the patient must be in the note, as asserted.

- An `extraction` step's span must be the note's text at its offsets (a span edited or
  invented after the fact is contradicted). A yes/no extraction must agree with the note's
  negation at its span ('denies chest pain' cannot support chest_pain = True; a criterion named
  as an absence, 'Cough Absent', the other way round). A criterion read as absent from an
  affirmed quote that shares no word with its name ('DVT' for "alternative diagnosis as
  likely") is unverifiable: the quote is about something else.
- A finding a `thought` asserts ('presents with chest pain', 'jaundice was noted', 'denies
  fever') must occur in the note (case question included) with the same polarity: asserting a
  finding the note negates — or denying one the note affirms — is contradicted; a finding the
  note never mentions is unverifiable (`details.failure = "not_in_note"`).
- A `kg_link` step's mention must be in the note (at its span when given), and a link marked
  present must not be negated in the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from clinreason.tools.negation import is_negated
from clinreason.trace import Case, Extraction, KGLink, Span, Thought, Trace, Verdict
from clinreason.verify.base import verdict
from clinreason.verify.findings import (
    asserted_findings,
    content_words,
    find_in_note,
    names_an_absence,
)
from clinreason.verify.text import sentences

_v = partial(verdict, "grounding")


def _source(case: Case, span: Span) -> str:
    return case.question if span.source == "question" else case.context


def check_span(step_id: str, span: Span, case: Case, what: str) -> Verdict:
    """Whether `span.text` is the case text at `span.start:span.end`."""
    text = _source(case, span)
    actual = text[span.start : span.end]
    claim = f'{what}: "{span.text}" at {span.start}-{span.end}'
    if actual == span.text:
        # only the quote is checked here, not what was read from it (`check` says so)
        return _v(
            "supported", step_id, claim, f"the {span.source} has it at those offsets", check="span"
        )
    where = text.find(span.text) if span.text else -1
    elsewhere = f"; the text occurs at offset {where}" if where >= 0 else "; it is not in the note"
    return _v(
        "contradicted",
        step_id,
        claim,
        f'the {span.source} has "{actual}" at those offsets{elsewhere}',
        failure="span",
    )


def _negated_at(case: Case, span: Span, name: str = "") -> bool:
    """Whether the note negates the span's finding. A span may hold its own negation
    ('denied any recent episodes of fainting'), so its last word and the first word of `name`
    found in it are also tried as the start of the term, in every sentence the span covers
    ('...ischaemic attack two years earlier; she had no heart failure')."""
    text = _source(case, span)
    first = re.match(r"\W*([A-Za-z][\w'-]*)", name)
    for offset, sentence in sentences(text):
        if offset + len(sentence) < span.start or offset >= span.end:
            continue
        start, end = max(span.start - offset, 0), min(span.end - offset, len(sentence))
        inside = sentence[start:end]
        words = list(re.finditer(r"[A-Za-z][\w'-]*", inside))
        terms = [start, start + words[-1].start()] if words else [start]
        hit = re.search(rf"(?i)\b{re.escape(first.group(1))}", inside) if first else None
        if hit:
            terms.append(start + hit.start())
        if any(is_negated(sentence, t, end) for t in terms):
            return True
    return False


@dataclass(frozen=True)
class GroundingCheck:
    """Findings and spans in the trace are in the note, with the note's polarity.

    >>> from clinreason.trace import Case, Thought, Trace, ComponentSpec
    >>> case = Case(id="c", question="Dx?", context="He denies chest pain.")
    >>> t = Trace(case=case, strategy=ComponentSpec(name="x"),
    ...           steps=[Thought(id="s1", text="The patient has chest pain.")])
    >>> [(v.status, v.details["failure"]) for v in GroundingCheck().verify(t, case)]
    [('contradicted', 'negation')]
    """

    name: ClassVar[str] = "grounding"
    check_thoughts: bool = True

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """Verdicts for spans, yes/no extractions, KG links and asserted findings."""
        note = f"{case.context}\n{case.question}"
        out: list[Verdict] = []
        for step in trace.steps:
            if isinstance(step, Extraction):
                out.extend(self._extraction(step, case))
            elif isinstance(step, KGLink):
                out.extend(self._kg_link(step, case, note))
            elif isinstance(step, Thought) and self.check_thoughts:
                out.extend(self._thought(step, note))
        return out

    def _extraction(self, step: Extraction, case: Case) -> list[Verdict]:
        if step.span is None:
            return []
        span_verdict = check_span(step.id, step.span, case, step.name)
        out = [span_verdict]
        if span_verdict.status == "supported" and isinstance(step.value, bool):
            negated = _negated_at(case, step.span, step.name)
            ok = step.value != negated
            if names_an_absence(step.name):
                ok = not ok
            status = "supported" if ok else "contradicted"
            said = f'the note {"negates" if negated else "affirms"} it: "{step.span.text}"'
            unnamed = not set(content_words(step.name)) & set(content_words(step.span.text))
            if not ok and step.value is False and not negated and unnamed:
                # read as absent from an affirmed quote that does not name the criterion ('DVT'
                # quoted for "alternative diagnosis as likely" = False): the quote's polarity is
                # not the criterion's, so it cannot contradict it
                status, said = "unverifiable", f"{said}, which does not name the criterion"
            out.append(
                _v(
                    status,
                    step.id,
                    f"{step.name} = {step.value}",
                    said,
                    failure="negation" if status == "contradicted" else None,
                )
            )
        return out

    def _kg_link(self, step: KGLink, case: Case, note: str) -> list[Verdict]:
        claim = f'"{step.mention}"{" (absent)" if step.negated else ""} -> {step.entity}'
        if step.span is not None:
            verdict = check_span(step.id, step.span, case, "mention")
            if verdict.status == "contradicted" or step.negated:
                return [verdict]
            if _negated_at(case, step.span):
                return [
                    _v(
                        "contradicted",
                        step.id,
                        claim,
                        "the note negates this mention",
                        failure="negation",
                    )
                ]
            return [verdict]
        occurrences = find_in_note(step.mention, note)
        if not occurrences:
            return [
                _v(
                    "unverifiable",
                    step.id,
                    claim,
                    "mention not found in the note",
                    failure="not_in_note",
                )
            ]
        if not step.negated and all(o.negated for o in occurrences):
            return [
                _v(
                    "contradicted",
                    step.id,
                    claim,
                    f'the note negates it: "{occurrences[0].sentence}"',
                    failure="negation",
                )
            ]
        return [_v("supported", step.id, claim, f'note: "{occurrences[0].sentence}"')]

    def _thought(self, step: Thought, note: str) -> list[Verdict]:
        out = []
        for finding in asserted_findings(step.text):
            claim = f"{'' if finding.present else 'no '}{finding.text}"
            occurrences = find_in_note(finding.text, note)
            if not occurrences:
                out.append(
                    _v(
                        "unverifiable",
                        step.id,
                        claim,
                        "the note does not mention it",
                        failure="not_in_note",
                    )
                )
                continue
            agree = [o for o in occurrences if o.negated != finding.present]
            if not agree and not finding.present and not any(o.affirmed for o in occurrences):
                out.append(
                    _v(
                        "unverifiable",
                        step.id,
                        claim,
                        "the note mentions it without a clear polarity",
                    )
                )
                continue
            if agree:
                out.append(_v("supported", step.id, claim, f'note: "{agree[0].sentence}"'))
            else:
                polarity = "negates" if finding.present else "affirms"
                out.append(
                    _v(
                        "contradicted",
                        step.id,
                        claim,
                        f'the note {polarity} it: "{occurrences[0].sentence}"',
                        failure="negation",
                    )
                )
        return out
