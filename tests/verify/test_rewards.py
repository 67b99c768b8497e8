"""GRPO reward adapters, called the way TRL's GRPOTrainer calls them."""

from __future__ import annotations

import pytest

from clinreason.verify import NumbersCheck
from clinreason.verify.rewards import (
    accuracy_reward,
    answer_matches,
    as_grpo_reward,
    format_reward,
    make_accuracy_reward,
    parse_completion,
    verification_reward,
)

NOTE = "Creatinine 1.4 mg/dL. He denies chest pain."


def trainer_call(reward, completions, **columns):
    """What GRPOTrainer does: keyword call with prompts, completions and every other column."""
    n = len(completions)
    prompts = [[{"role": "user", "content": f"question {i}"}] for i in range(n)]
    extra = {"completion_ids": [[1, 2, 3]] * n, "trainer_state": object()}
    out = reward(prompts=prompts, completions=completions, **columns, **extra)
    assert isinstance(out, list) and len(out) == n
    assert all(x is None or isinstance(x, float) for x in out)
    return out


def chat(text):
    return [{"role": "assistant", "content": text}]


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ('{"reasoning": "Cr is high, so AKI.", "answer": "B"}', 1.0),
        ("<think>Cr is high, so AKI.</think>\nAnswer: B", 1.0),
        (chat("Creatinine is high here.\nFinal answer: (B)"), 1.0),
        ("B", 0.5),  # answer without reasoning
        ("I am not sure.", 0.0),
        ("", 0.0),
        (chat(""), 0.0),
        ("Ответ: Б", 0.0),  # unicode, no recognised answer line
    ],
)
def test_format_reward(completion, expected):
    assert trainer_call(format_reward, [completion]) == [expected]


def test_accuracy_reward_batch_with_columns():
    completions = [
        "Answer: B",
        chat("Answer: c"),
        "no idea",
        "Answer: 52.3 mL/min",
        "Answer: 9e999",
    ]
    gold = ["B", "B", "A", "52.1", "5"]
    gold_range = [None, None, None, [50.0, 54.0], None]
    out = trainer_call(accuracy_reward, completions, gold=gold, gold_range=gold_range)
    assert out == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert accuracy_reward.__name__ == "accuracy_reward"


def test_accuracy_reward_no_gold_is_no_verdict():
    reward = make_accuracy_reward(gold_column="answer")
    assert reward.__name__ == "accuracy_answer_reward"
    assert trainer_call(reward, ["Answer: B", "Answer: B"], answer=[None, ""]) == [None, None]
    assert trainer_call(reward, ["Answer: B"]) == [None]  # column absent


@pytest.mark.parametrize(
    ("answer", "gold", "rng", "expected"),
    [
        ("b", "B", None, True),
        ("(B)", "B", None, True),
        ("52.3", "52.1", [50, 54], True),
        ("55", "52.1", [50, 54], False),
        ("52.5", "52.1", None, True),  # within 1%
        ("−3", "-3", None, True),  # unicode minus
        ("Bacterial meningitis", "bacterial meningitis.", None, True),
        ("", "B", None, False),
    ],
)
def test_answer_matches(answer, gold, rng, expected):
    assert answer_matches(answer, gold, rng) is expected


def test_parse_completion_json_and_text():
    assert parse_completion('{"reasoning": "x y z", "answer": 5}') == ("x y z", "5")
    assert parse_completion("Thinking...\nAnswer: C. Migraine")[1] == "C"
    assert parse_completion("no answer") == ("no answer", None)


def test_verifier_reward_scores_reasoning_against_the_note():
    reward = as_grpo_reward(NumbersCheck())
    assert reward.__name__ == "numbers_reward"
    out = trainer_call(
        reward,
        [
            '{"reasoning": "Creatinine is 2.1 mg/dL.", "answer": "B"}',  # wrong value
            chat("Creatinine is 1.4 mg/dL.\nAnswer: B"),  # right value
            "Answer: B",  # nothing checkable
        ],
        context=[NOTE] * 3,
        question=["Dx?"] * 3,
    )
    assert out == [0.0, 1.0, None]


def test_verification_reward_uses_all_verifiers():
    assert verification_reward.__name__ == "verification_reward"
    out = trainer_call(
        verification_reward,
        ["The patient has chest pain.\nAnswer: B", "He denies chest pain.\nAnswer: B"],
        context=[NOTE, NOTE],
    )
    assert out[0] == 0.0 and out[1] == 1.0
