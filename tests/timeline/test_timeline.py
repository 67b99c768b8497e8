# ruff: noqa: E501  (table-test rows read best one per line)
"""The timeline tool: readers (text, tables, JSON, FHIR through fhirclient), every bad-input
case, the DuckDB operations with hand-computed answers, the strategy's trace, auto routing."""

from __future__ import annotations

import json

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.cli.explain_cmd import choose_strategy
from clinreason.errors import InputError
from clinreason.strategies import run
from clinreason.strategies.timeline import Timeline
from clinreason.tools.timeline import Query, parse_question, read_record, run_query
from clinreason.trace import Case, Extraction, ToolCall

NOTE = (
    "Admitted 12 March 2024.\n"
    "08:00 creatinine 1.0 mg/dL, K 4.2 mmol/L, HR 88 bpm\n"
    "20:00 creatinine 1.2 mg/dL; potassium at 20:00 was 4.9 mmol/L.\n"
    "13/03/2024 06:00: creatinine 1.4 mg/dL, K 5.6 mmol/L, HR 104 bpm.\n"
    "14/03/2024 06:00: creatinine 2.1 mg/dL, K 5.9 mmol/L, HR 96 bpm.\n"
)
CSV = (
    "Time,Creatinine (mg/dL),K (mmol/L),HR (/min)\n"
    "2024-03-12 08:00,1.0,4.2,88\n2024-03-12 20:00,1.2,4.9,\n"
    "2024-03-13 06:00,1.4,5.6,104\n2024-03-14 06:00,2.1,5.9,96\n"
)


def _obs(code: str, when: str, value: float | None, unit: str = "mg/dL", **extra: object) -> dict:
    res: dict = {
        "resourceType": "Observation",
        "id": f"o{when[:10]}{code}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": when,
        **extra,
    }
    if value is not None:
        res["valueQuantity"] = {"value": value, "unit": unit}
    return {"resource": res}


def _bundle(*entries: dict) -> str:
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": list(entries)})


def _answer(context: str, question: str) -> str:
    rec = read_record(context)
    return run_query(rec, parse_question(question, rec)).answer


@pytest.mark.parametrize("context", [NOTE, CSV, CSV.replace(",", "\t")], ids=["note", "csv", "tsv"])
@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("What was the highest potassium?", "5.9"),  # aggregation
        ("How many potassium values were above 5.0 mmol/L?", "2"),
        ("What was the average heart rate?", "96"),
        ("Is the creatinine trend rising, falling or stable?", "rising"),
        ("What was the first creatinine?", "1"),  # retrieval
        ("When was the heart rate highest?", "2024-03-13 06:00"),
        ("What was the creatinine on 2024-03-13 at 06:00?", "1.4"),
        ("What was the percent change in creatinine?", "110"),  # arithmetic: (2.1-1)/1
        ("What was the range of heart rate?", "16"),
        ("What was the largest rise in creatinine within 24 hours?", "0.7"),
        ("Did the creatinine rise by at least 0.3 mg/dL within 48 hours?", "yes"),  # comparison
        ("Was the latest potassium above 6?", "no"),
        ("What is the KDIGO AKI stage?", "stage 2"),  # 2.1 / 1.0 within 7 days
        ("What was the mean potassium in the last 24 hours?", "5.75"),  # 5.6 and 5.9
    ],
)
def test_answers_agree_across_representations(context: str, question: str, gold: str) -> None:
    assert _answer(context, question) == gold


def test_text_spans_point_at_the_evidence() -> None:
    rec = read_record(NOTE)
    for o in rec.observations:
        assert o.span is not None and NOTE[o.span.start : o.span.end] == o.span.text
    k20 = next(o for o in rec.observations if o.analyte == "potassium" and o.time.hour == 20)
    assert k20.value == 4.9 and "20:00" in k20.span.text  # clock read after the name, not as K


def test_kdigo_worked_examples() -> None:
    # 0.3 mg/dL within 48 h, though far below 1.5x: stage 1
    rise = "2024-01-01 08:00 creatinine 1.2 mg/dL\n2024-01-02 20:00 creatinine 1.5 mg/dL\n"
    assert _answer(rise, "What is the KDIGO AKI stage?") == "stage 1"
    # 0.3 mg/dL but over 72 h and below 1.5x: no AKI
    slow = "2024-01-01 08:00 creatinine 1.2 mg/dL\n2024-01-04 08:00 creatinine 1.5 mg/dL\n"
    assert _answer(slow, "What is the KDIGO AKI stage?") == "no AKI"
    # 3x the lowest value of the previous 7 days, in µmol/L: stage 3
    si = "2024-01-01 08:00 creatinine 80 µmol/L\n2024-01-06 08:00 creatinine 250 µmol/L\n"
    assert _answer(si, "What is the KDIGO AKI stage?") == "stage 3"


def test_fhir_bundle_through_fhirclient() -> None:
    text = _bundle(
        _obs("2160-0", "2024-03-01T08:00:00+00:00", 1.0),
        _obs("2160-0", "2024-03-02T08:00:00+00:00", 120, "umol/L"),
        _obs("2160-0", "2024-03-03", None, valueString="haemolysed"),
        {
            "resource": {
                "resourceType": "Observation",
                "id": "bp1",
                "status": "final",
                "code": {"text": "Blood pressure panel"},
                "effectiveDateTime": "2024-03-01T09:00:00+00:00",
                "component": [
                    {"code": {"coding": [{"code": "8480-6"}]}, "valueQuantity": {"value": 132, "code": "mm[Hg]"}},
                    {"code": {"coding": [{"code": "8462-4"}]}, "valueQuantity": {"value": 81, "code": "mm[Hg]"}},
                ],
            }
        },
        _obs("8310-5", "2024-03-04", 38.1, "Cel"),
    )  # fmt: skip
    rec = read_record(text)
    assert rec.source == "fhir"
    creat = rec.series("creatinine")
    assert [round(o.value, 4) for o in creat] == [1.0, 1.3574]  # 120 µmol/L / 88.40
    assert all(text[o.span.start : o.span.end] == o.span.text for o in creat if o.span)
    assert '"valueQuantity"' in creat[0].span.text
    assert [o.value for o in rec.series("systolic_bp")] == [132]
    assert [o.value for o in rec.series("diastolic_bp")] == [81]
    assert "no valueQuantity (it has valueString)" in " ".join(rec.assumptions)
    assert "entry 2" in " ".join(rec.assumptions)
    assert "00:00" in rec.series("temperature")[0].note  # a date without a time, said so


@pytest.mark.parametrize(
    ("context", "question", "error"),
    [
        # implausible value: the series is refused, naming the line
        ("2024-01-01 08:00 creatinine 1.0 mg/dL\n2024-01-02 08:00 creatinine 45 mg/dL",
         "What was the highest creatinine?", "line 2: creatinine 45 mg/dL is implausible"),
        # conflicting duplicates: both places named
        ("Time,Creatinine (mg/dL)\n2024-01-01 08:00,1.0\n2024-01-01 08:00,1.4\n",
         "What was the highest creatinine?", "line 2) and 1.4 mg/dL (line 3)"),
        # an unknown unit in a series
        ("Time,test,value,unit\n2024-01-01 08:00,creatinine,1.0,mg/dL\n2024-01-02 08:00,creatinine,1.1,mg/furlong\n",
         "What was the highest creatinine?", "line 3: unknown unit 'mg/furlong'"),
        # invalid FHIR: the path of the bad field
        (_bundle(_obs("2160-0", "2024-01-01T08:00:00Z", None, valueQuantity={"value": "high"})),
         "What was the highest creatinine?", "entry.0.resource.valueQuantity.value"),
        ("[{\"time\": 1,}]", "What was the highest creatinine?", "not valid JSON"),
        ("Value,Creatinine (mg/dL)\n1,1.0\n", "What was the highest creatinine?", "no time column"),
        (NOTE, "What is the patient's MELD score?", "names no quantity"),
        (NOTE, "Tell me about the creatinine.", "no operation"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_error(context: str, question: str, error: str) -> None:
    with pytest.raises(InputError, match=__import__("re").escape(error)):
        _answer(context, question)


def test_bad_input_that_becomes_a_recorded_assumption() -> None:
    # times without dates: day 1, day 2 by the clock going back
    undated = read_record(
        "22:00 glucose 212 mg/dL; 02:00 glucose 168 mg/dL; 06:00 glucose 131 mg/dL"
    )
    assert undated.undated and "without dates" in undated.assumptions[0]
    assert [undated.show_time(o.time) for o in undated.observations] == [
        "day 1 22:00", "day 2 02:00", "day 2 06:00"]  # fmt: skip
    # mixed units in one series: converted and said so on the record and each value
    mixed = read_record(
        "2024-01-01 08:00 creatinine 1.0 mg/dL\n2024-01-02 08:00 creatinine 133 µmol/L"
    )
    assert "written in mg/dL, µmol/L" in " ".join(mixed.assumptions)
    assert "133 µmol/L = 1.504 mg/dL" in mixed.observations[1].note
    # an identical duplicate is counted once, and said so
    dup = read_record(
        "Time,K (mmol/L)\n2024-01-01 08:00,4.0\n2024-01-01 08:00,4.0\n2024-01-02 08:00,4.4\n"
    )
    assert len(dup.series("potassium")) == 2 and "counted once" in dup.assumptions[0]
    # a number after a name that no reader takes is said, with its line, not dropped unseen
    dose = read_record("2024-01-01 08:00 K 4.0 mmol/L\n2024-01-01 09:00 K 40 mEq given orally")
    assert [o.value for o in dose.observations] == [4.0]
    assert "line 2: 'K 40 mEq' was not read as a potassium value" in " ".join(dose.assumptions)
    # a problem in one series leaves the others usable
    both = "2024-01-01 08:00 creatinine 45 mg/dL, K 4.0 mmol/L\n2024-01-02 08:00 K 4.6 mmol/L"
    assert _answer(both, "What was the highest potassium?") == "4.6"


def test_query_validation() -> None:
    with pytest.raises(Exception, match="unknown analyte"):
        Query("max", "unobtainium")
    rec = read_record(CSV)
    with pytest.raises(InputError, match="no creatinine value between"):
        start = rec.end().replace(year=2030)
        run_query(rec, Query("max", "creatinine", start=start))


async def test_strategy_records_rows_and_tool_call() -> None:
    case = Case(id="t1", question="How many potassium values were above 5.0 mmol/L?", context=NOTE)
    trace = await run(Timeline(), case, FakeBackend([]))
    assert trace.error is None and trace.answer is not None and trace.answer.value == "2"
    call = trace.steps_of(ToolCall)[-1]
    assert call.tool == "timeline.count_beyond" and call.result == "2"
    rows = [trace.step(p) for p in call.parents]
    assert [r.value for r in rows if isinstance(r, Extraction)] == [4.2, 4.9, 5.6, 5.9]
    for r in rows:
        assert isinstance(r, Extraction) and r.span is not None
        assert NOTE[r.span.start : r.span.end] == r.span.text
    assert trace.answer.support == [call.id]
    assert any("SQL" in line for line in call.explanation)


async def test_strategy_error_names_the_place() -> None:
    case = Case(id="t2", question="What was the highest creatinine?",
                context="2024-01-01 08:00 creatinine 1.0 mg/dL\n2024-01-02 08:00 creatinine 45 mg/dL")  # fmt: skip
    trace = await run(Timeline(), case, FakeBackend([]))
    assert trace.answer is None and trace.error is not None and "line 2" in trace.error.message


def test_auto_routes_timeline_questions() -> None:
    assert (
        choose_strategy(Case(id="a", question="What was the highest potassium?", context=NOTE))
        == "timeline"
    )
    assert (
        choose_strategy(
            Case(id="b", question="What is the patient's CHA2DS2-VASc score?", context=NOTE)
        )
        != "timeline"
    )


def test_json_rows_long_layout_with_spans() -> None:
    rows = [
        {"time": "2024-03-01T08:00", "test": "Creatinine", "value": 1.1, "unit": "mg/dL"},
        {"time": "2024-03-02T08:00", "test": "Creatinine", "value": 1.5, "unit": "mg/dL"},
        {"time": "2024-03-02T08:00", "test": "Lactate", "value": 2.0, "unit": "mmol/L"},
    ]
    text = json.dumps({"patient": "x", "observations": rows}, indent=2)
    rec = read_record(text)
    assert rec.source == "json" and [o.value for o in rec.observations] == [1.1, 1.5]
    assert all(json.loads(o.span.text)["value"] == o.value for o in rec.observations if o.span)
    assert "'Lactate' names no known quantity: ignored" in " ".join(rec.assumptions)


def test_note_with_a_table_keeps_written_values() -> None:
    note = (
        "Renal review, values from the GP:\n\n| Date | Creatinine (µmol/L) |\n|---|---|\n"
        "| 2025-01-10 08:00 | 88 |\n| 2025-01-12 08:00 | 141 |\n\n"
        "On the ward 2025-01-13 07:00: creatinine 190 µmol/L, K 5.2 mmol/L.\n"
    )
    rec = read_record(note)
    assert rec.source == "text+table"
    assert [o.written for o in rec.series("creatinine")] == [
        "88 µmol/L",
        "141 µmol/L",
        "190 µmol/L",
    ]
    assert _answer(note, "What was the highest creatinine (in µmol/L)?") == "190"
    assert _answer(note, "What is the KDIGO AKI stage?") == "stage 2"  # 190 / 88 = 2.16


async def test_strategy_puts_the_relevant_assumptions_under_the_answer() -> None:
    note = "22:00 glucose 212 mg/dL; 02:00 glucose 168 mg/dL; 06:00 glucose 131 mg/dL. Comment: ok"
    trace = await run(
        Timeline(),
        Case(id="u", question="When was the lowest glucose?", context=note),
        FakeBackend([]),
    )
    assert trace.answer is not None and trace.answer.value == "day 2 06:00"
    call = trace.steps_of(ToolCall)[-1]
    assumed = [trace.step(p) for p in call.parents if trace.step(p).method == "assumed"]  # type: ignore[union-attr]
    assert len(assumed) == 1 and "without dates" in str(assumed[0].value)  # type: ignore[union-attr]
