"""Reasoning strategies. `STRATEGIES` maps CLI names to classes (used by the CLI and harness)."""

from typing import Any

from clinreason.strategies.argumentation import Argumentation
from clinreason.strategies.base import Strategy, call_llm, run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.strategies.cot import ChainOfThought
from clinreason.strategies.diagnose import Diagnose
from clinreason.strategies.direct import Direct
from clinreason.strategies.rag import RetrievalAugmented
from clinreason.strategies.self_consistency import SelfConsistency
from clinreason.strategies.timeline import Timeline

STRATEGIES: dict[str, Any] = {
    "direct": Direct,
    "cot": ChainOfThought,
    "calculator": CalculatorStrategy,
    "self_consistency": SelfConsistency,
    "diagnose": Diagnose,
    "argumentation": Argumentation,
    "rag": RetrievalAugmented,
    "timeline": Timeline,
}

__all__ = [
    "STRATEGIES",
    "ChainOfThought",
    "Direct",
    "RetrievalAugmented",
    "SelfConsistency",
    "Strategy",
    "Timeline",
    "call_llm",
    "run",
]
