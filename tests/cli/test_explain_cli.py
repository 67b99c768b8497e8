"""`clinreason explain` / `models` end to end through click, including every bad-input path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from clinreason.api.local import free_port
from clinreason.cli import main
from clinreason.trace import trace_json_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["explain", "missing.json"], None, "case file not found"),
        (["explain", "{bad}"], None, "case file not found"),
        (["explain", "-"], "", "no input"),
        (["explain", "-"], "A. x\nB. y\n", "no question"),
        (["explain", str(EXAMPLES / "mcq_case.json"), "--backend", "nope"], None, "nope"),
        (["explain", str(EXAMPLES / "mcq_case.json"), "--strategy", "magic"], None, "magic"),
        (["explain", str(EXAMPLES / "mcq_case.json"), "--backend", "openai"], None, "--base-url"),
        (["explain", "-", "--backend", "fake"], "\x00\x01 note\nQuestion: why?", "not text"),
        (
            [
                *["explain", str(EXAMPLES / "mcq_case.json"), "--strategy", "self_consistency"],
                *["--backend", "fake", "-S", "k=abc"],
            ],
            None,
            "k must be a whole number, got 'abc'",
        ),
        (["explain", str(EXAMPLES / "mcq_case.json"), "--model", "nosuch"], None, "nosuch"),
        (
            ["explain", str(EXAMPLES / "mcq_case.json"), "--backend", "fake", "--n-ctx", "9"],
            None,
            "64",
        ),
        (
            ["explain", str(EXAMPLES / "mcq_case.json"), "--backend", "fake", "--prompt-cache"],
            None,
            "--prompt-cache applies to the embedded backend only",
        ),
    ],
)
def test_bad_input_is_one_clear_line_never_a_traceback(args, stdin, message):
    result = CliRunner().invoke(main, args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "ANSWER" not in result.output  # fails before anything runs or prints an answer block


def test_invalid_json_and_case_without_question(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(main, ["explain", str(bad)])
    assert result.exit_code != 0 and "not valid JSON" in result.output
    empty = tmp_path / "noq.json"
    empty.write_text(json.dumps({"id": "x", "context": "note"}))
    result = CliRunner().invoke(main, ["explain", str(empty)])
    assert result.exit_code != 0 and "question" in result.output


def test_progress_reports_the_model_calls_and_time_and_leaves_the_answer_alone(tmp_path):
    case = str(EXAMPLES / "mcq_case.json")
    quiet = CliRunner().invoke(main, ["explain", case, "--backend", "fake", "--no-progress"])
    shown = CliRunner().invoke(main, ["explain", case, "--backend", "fake", "--progress"])
    assert quiet.exit_code == shown.exit_code == 0
    assert "answered in" not in quiet.output
    assert re.search(r"answered in \d+\.\d s \(1 model call, \d+ tokens generated\)", shown.output)
    assert quiet.output in shown.output  # the explanation itself is unchanged


def test_unreachable_server_is_an_error_not_an_answer(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    out = tmp_path / "t.json"
    args = ["explain", str(EXAMPLES / "mcq_case.json"), "--backend", "openai", "--base-url", url]
    args += ["--model", "m", "--no-cache", "--save", str(out), "-S", "max_tokens=8"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "no answer" in result.output and "Traceback" not in result.output
    trace = json.loads(out.read_text())
    assert trace["answer"] is None and trace["error"]["type"].startswith("Backend")


@pytest.mark.embedded
def test_explain_on_embedded_small_model_prints_explanation_and_valid_json(tmp_path):
    case = str(EXAMPLES / "mcq_case.json")
    common = ["--backend", "embedded", "--model", "smollm2-135m", "--no-cache", "--strategy", "cot"]
    result = CliRunner().invoke(main, ["explain", case, *common, "-S", "max_tokens=96"])
    assert result.exit_code == 0, result.output
    assert "not a medical device" in result.output
    assert "Strategy: cot" in result.output
    assert "Trust: Checked" in result.output and "model judgement" in result.output
    result = CliRunner().invoke(main, ["explain", case, *common, "-S", "max_tokens=96", "--json"])
    assert result.exit_code == 0, result.output
    trace = json.loads(result.output)
    jsonschema.validate(trace, trace_json_schema())
    assert trace["steps"][0]["kind"] == "llm_call"
    assert trace["backend"]["params"]["model"] == "smollm2-135m"
    # the model's own choice is a judgement: never fully verified, and the trust line says so
    assert trace["trust"]["fully_verified"] is False
    assert any(c["kind"] == "answer" and c["status"] == "judgement" for c in trace["claims"])


def test_models_lists_backends_and_models():
    result = CliRunner().invoke(main, ["models"])
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder-1.5b" in result.output and "smollm2-135m" in result.output


def test_help_lists_every_strategy_and_benchmark():
    from clinreason.bench import BENCHMARKS
    from clinreason.strategies import STRATEGIES

    explain_help = " ".join(CliRunner().invoke(main, ["explain", "--help"]).output.split())
    eval_help = " ".join(CliRunner().invoke(main, ["eval", "--help"]).output.split())
    assert all(name in explain_help for name in STRATEGIES)
    assert all(name in eval_help for name in BENCHMARKS)
    assert "--n-ctx" in explain_help and "--n-ctx" in eval_help


async def test_progress_shows_the_end_of_the_model_s_words_as_they_come():
    from io import StringIO

    from rich.console import Console

    from clinreason.backends.fake import FakeBackend
    from clinreason.cli.live import TAIL, LiveBackend
    from clinreason.trace import GenerateRequest, Message

    reply = '{"reasoning": "' + "The ST segment is raised in the inferior leads. " * 3 + '"}'
    live = LiveBackend(FakeBackend([reply], stream_delay=0.001), Console(file=StringIO()))
    shown: list[str] = []
    update = live._progress.update
    live._progress.update = lambda task, **kw: (shown.append(kw["description"]), update(task, **kw))
    request = GenerateRequest(messages=(Message(role="user", content="q"),))
    generation = await live.generate(request)
    await live.aclose()
    assert generation.texts == [reply]
    words = [d.split(": ", 1)[1] for d in shown if d.startswith("model call 1 to fake: ")]
    assert words[0] == "Reasoning: The" and len(words) >= 20  # the words, not the JSON
    assert words[-1].startswith("…") and len(words[-1]) == TAIL + 1
    assert words[-1].endswith("raised in the inferior leads.")
    assert shown[-1] == "model call 1 done; working"


def test_prompt_cache_option_reaches_the_embedded_backend():
    from clinreason.cli._common import backend_from_options

    backend = backend_from_options(
        "embedded", "smollm2-135m", None, "OPENAI_API_KEY", 1, True, prompt_cache=True
    )
    assert backend.prompt_cache is True and backend.spec.params["prompt_cache"] is True
    plain = backend_from_options("embedded", "smollm2-135m", None, "OPENAI_API_KEY", 1, True)
    assert plain.prompt_cache is False
