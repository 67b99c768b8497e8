"""`clinreason verify TRACE.json`: prints verdicts, exits 1 when a step is contradicted."""

from __future__ import annotations

import json

from click.testing import CliRunner

from clinreason.cli import main
from clinreason.trace import (
    Answer,
    Case,
    ComponentSpec,
    Extraction,
    Span,
    Thought,
    Trace,
    write_trace,
)

NOTE = "Serum creatinine is 1.6 mg/dL. He denies chest pain."


def _trace() -> Trace:
    case = Case(id="cli", question="Cr?", context=NOTE)
    start = NOTE.index("1.6 mg/dL")
    steps = [
        Extraction(
            id="s1",
            name="creatinine",
            value=1.6,
            unit="mg/dL",
            span=Span(start=start, end=start + 9, text="1.6 mg/dL"),
        ),
        Thought(id="s2", text="Creatinine is 1.6 mg/dL, so the answer is 1.6.", parents=["s1"]),
    ]
    return Trace(
        case=case,
        strategy=ComponentSpec(name="test"),
        steps=steps,
        answer=Answer(value="1.6", support=["s2"]),
    )


def test_clean_trace_passes(tmp_path):
    path = tmp_path / "t.json"
    write_trace(_trace(), path)
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 contradicted" in result.output


def test_edited_trace_fails(tmp_path):
    data = json.loads(_trace().model_dump_json())
    data["steps"][0]["value"] = 2.6  # edited after the fact
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 1
    assert "XX" in result.output and "s1" in result.output


def test_case_option_and_json_output(tmp_path):
    path = tmp_path / "t.json"
    write_trace(_trace(), path)
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps({"id": "cli", "question": "Cr?", "context": "Creatinine 2.0 mg/dL."})
    )
    result = CliRunner().invoke(main, ["verify", str(path), "--case", str(case), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["summary"]["contradicted"] >= 1


def test_unreadable_trace_is_one_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code != 0 and "not valid JSON" in result.output
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "missing.json")])
    assert result.exit_code != 0 and "Traceback" not in result.output
