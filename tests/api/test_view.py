"""What the web page shows of a trace: numbering, highlights, inputs table, trust words."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from clinreason.api.service import attach_verdicts
from clinreason.api.view import highlight, note_segments, result_view
from clinreason.api.web import render
from clinreason.backends.fake import FakeBackend
from clinreason.strategies import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.trace import DISCLAIMER, Case, Extraction, Span
from clinreason.trace.explain import CLAIM_MARKS

CRCL = json.loads((Path(__file__).parents[2] / "examples" / "crcl_case.json").read_text())


def _crcl_trace():
    case = Case.model_validate(CRCL)
    trace = asyncio.run(run(CalculatorStrategy(), case, FakeBackend([])))
    return attach_verdicts(trace)


def test_overlapping_and_identical_spans_each_keep_a_link_target():
    pieces = highlight("creatinine 1.6 mg/dL", [(0, 20, "s2"), (11, 14, "s3"), (11, 14, "s4")])
    assert [(p.text, p.steps, p.anchors) for p in pieces] == [
        ("creatinine ", ["s2"], ["s2"]),
        ("1.6", ["s3", "s4", "s2"], ["s3", "s4"]),
        (" mg/dL", ["s2"], []),
    ]
    assert "".join(p.text for p in pieces) == "creatinine 1.6 mg/dL"
    assert [p.text for p in highlight("abc", [(2, 9, "s1"), (2, 2, "s2")])] == ["abc"]


def test_a_span_that_does_not_match_the_note_is_not_highlighted():
    trace = _crcl_trace()
    wrong = Extraction(id="s99", name="x", value=1, span=Span(start=0, end=4, text="nope"))
    bad = trace.model_copy(update={"steps": [*trace.steps, wrong]})
    assert "s99" not in {sid for seg in note_segments(bad) for sid in seg.steps}
    assert "".join(seg.text for seg in note_segments(bad)) == trace.case.context


def test_result_view_numbers_steps_and_links_every_span():
    trace = _crcl_trace()
    shown = result_view(trace, elapsed_s=2.0)
    assert [s["number"] for s in shown["steps"]] == list(range(1, len(trace.steps) + 1))
    spans = {s.id for s in trace.steps_of(Extraction) if s.span}
    anchors = {a for seg in shown["note"] for a in seg.anchors}
    assert spans and anchors == spans
    rows = {r["name"]: r for r in shown["inputs"]}
    assert rows["weight"]["value"] == "80" and rows["weight"]["unit"] == "kg"
    assert rows["weight"]["span"] == "weighs 80 kg" and rows["weight"]["method"] == "read by a rule"
    assert shown["trust"].summary.startswith("Fully verified")
    assert {c["words"] for c in shown["claims"]} <= set(CLAIM_MARKS.values())
    html = render("result.html", r=shown, disclaimer=DISCLAIMER)
    for sid in spans:
        assert f'id="span-{sid}"' in html and f'href="#span-{sid}"' in html
        assert f'id="step-{sid}"' in html and f'href="#step-{sid}"' in html
    assert trace.trust.summary in html and "Calculator inputs" in html
    assert html.count('class="badge badge-supported"') >= 10
