"""The training rewards: each pays what it says, and `combined` does not pay the gamed forms."""

from __future__ import annotations

import json

import pytest

from clinreason.trace import Case
from clinreason.train.data import case_row
from clinreason.train.rewards import (
    REWARDS,
    combined_reward,
    extraction_reward,
    json_start_reward,
    statement_recall_reward,
)
from clinreason.verify import VERIFIERS
from clinreason.verify.rewards import policy_trace, trust_reward
from clinreason.verify.trust import CONTRADICTED_CAP, assess

NOTE = "A 45-year-old man weighs 70 kg and is 170 cm tall. Creatinine 1.2 mg/dL."
CASE = Case(
    id="c1",
    context=NOTE,
    question="What is the patient's BMI in kg/m²?",
    gold="24.2",
    gold_range=(23.0, 25.4),
    rationale="BMI is weight divided by height squared. 70 / 1.7^2 = 24.2 kg/m².",
    metadata={"relevant_entities": {"weight": [70, "kg"], "height": [170, "cm"]}},
)
ROW = case_row(CASE)


def _reward(reward, *replies: str) -> list[float | None]:
    columns = {k: [v] * len(replies) for k, v in ROW.items() if k != "prompt"}
    return reward([ROW["prompt"]] * len(replies), list(replies), **columns)


def _reply(reasoning: str, answer: str) -> str:
    return json.dumps({"reasoning": reasoning, "answer": answer})


HONEST = _reply(
    "The patient weighs 70 kg and is 170 cm tall. BMI is weight divided by height squared.",
    "24.2",
)


def test_gold_stays_out_of_the_prompt() -> None:
    prompt = json.dumps(ROW["prompt"])
    assert "24.2" not in prompt and "weight divided" not in prompt
    assert ROW["gold"] == "24.2" and ROW["gold_range"] == [23.0, 25.4]


@pytest.mark.parametrize(
    "gamed",
    [
        _reply("", "24.2"),  # the right answer with no reasoning
        "24.2",  # a bare answer, no format at all
        _reply("I considered the findings carefully before answering.", "31"),  # no claims
        _reply(NOTE, "31"),  # the note copied as reasoning (every claim supported), wrong
        _reply("The patient weighs 70 kg and is 170 cm tall.", "31"),  # true facts, wrong
    ],
)
def test_combined_does_not_pay_gamed_forms(gamed: str) -> None:
    assert _reward(combined_reward, gamed) == [0.0]


def test_combined_ranks_honest_over_unchecked() -> None:
    honest, unchecked = _reward(
        combined_reward,
        HONEST,
        _reply("I considered the findings carefully before answering.", "24.2"),
    )
    assert unchecked == pytest.approx(0.7)  # right and reasoned, but nothing checkable
    assert honest is not None and honest > unchecked
    assert _reward(combined_reward, _reply("x", "24.2"))[0] is not None  # scored, not skipped


def test_combined_is_none_without_gold() -> None:
    row = case_row(CASE.model_copy(update={"gold": None, "gold_range": None}))
    columns = {k: [v] for k, v in row.items() if k != "prompt"}
    assert combined_reward([row["prompt"]], [HONEST], **columns) == [None]


def test_extraction_and_statement_recall() -> None:
    assert _reward(extraction_reward, HONEST, _reply("Weight 70 kg.", "24.2"), "24.2") == [
        1.0,
        0.5,
        0.0,
    ]
    recall = _reward(statement_recall_reward, HONEST, _reply("Nothing relevant here.", "24.2"))
    assert recall[0] is not None and recall[0] > recall[1] == 0.0


def test_json_start() -> None:
    assert json_start_reward([], [' {"answer": "A"}', 'Sure: {"answer": "A"}']) == [1.0, 0.0]


def test_every_reward_returns_one_value_per_completion() -> None:
    for name, reward in REWARDS.items():
        values = _reward(reward, HONEST, "24.2", "")
        assert len(values) == 3, name
        assert all(v is None or 0.0 <= v <= 1.0 for v in values), name


def test_trust_reward_is_the_trust_score_of_the_reply() -> None:
    misread = _reply("The patient weighs 90 kg and is 170 cm tall.", "31")
    honest, misread_score, unanswered = _reward(trust_reward, HONEST, misread, "no answer")
    assert unanswered == 0.0
    assert honest is not None and misread_score is not None and misread_score < honest
    # the reply is read as a chain of thought: its sentences are the model's claims, the
    # answer its judgement, and the contradicted weight is one of the claims
    trace = policy_trace(misread, CASE)
    verdicts = [v for cls in VERIFIERS.values() for v in cls().verify(trace, CASE)]
    claims, trust = assess(trace, verdicts)
    assert trust.score == misread_score
    assert {c.status for c in claims} >= {"contradicted", "judgement"}
    assert trust.score <= CONTRADICTED_CAP
