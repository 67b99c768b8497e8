"""BM25Index: relevance on a tiny corpus, determinism, mmap loading, format checks, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import bm25s
import numpy as np
import pytest

from clinreason.errors import ConfigError
from clinreason.tools.retrieval import (
    BM25Index,
    CorpusError,
    Index,
    IndexFormatError,
    Passage,
    build_index,
)
from clinreason.tools.retrieval.bm25 import META
from clinreason.tools.retrieval.tokenize import Tokenizer


@pytest.fixture
def index(corpus, tmp_path) -> BM25Index:
    return build_index([corpus], tmp_path / "ix").index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage 3 AKI creatinine", "corpus/aki.md#1"),
        ("how often to check INR with amiodarone and warfarin", "corpus/anticoag.txt#1"),
        ("antibiotics in septic shock", "corpus/sepsis.html#1"),
        ("salbutamol for asthma", "pmid:111"),
        ("lumbar puncture", "pmid:222"),
        ("NSAIDs nephrotoxic", "corpus/aki.md#2"),
    ],
)
def test_the_obviously_relevant_passage_comes_first(index, query, expected):
    hits = index.search(query, k=3)
    assert hits, f"no hit for {query!r}"
    assert hits[0].passage.id == expected
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score > 0 for h in hits)


def test_passages_keep_source_offsets_and_metadata(index, corpus):
    passages = [index.passage(i) for i in range(len(index))]
    assert len(passages) == 7
    for p in passages:
        if p.source.endswith((".md", ".txt")):
            document = (corpus / p.source.split("/", 1)[1]).read_text()
            assert document[p.start : p.end] == p.text
    asthma = index.get("pmid:111")
    assert asthma is not None and asthma.pmid == "111" and asthma.source == "corpus/papers.jsonl"
    assert index.get("corpus/aki.md#2").section == "Prevention"
    assert index.get("no such id") is None


def test_info_and_protocol(index):
    assert isinstance(index, Index)
    info = index.info()
    assert (info.passages, info.documents, info.format_version) == (7, 5, 1)
    assert info.sources == {"corpus": 7}
    assert info.engine.startswith("bm25s ")
    assert info.skipped == []


def test_loads_memory_mapped_and_in_ram(index):
    mapped = BM25Index.load(index.path)
    assert isinstance(mapped._engine.scores["data"], np.memmap)
    assert isinstance(mapped._offsets, np.memmap)
    ram = BM25Index.load(index.path, mmap=False)
    assert not isinstance(ram._engine.scores["data"], np.memmap)
    for ix in (mapped, ram):
        assert ix.search("warfarin INR", k=1)[0].passage.id == "corpus/anticoag.txt#1"


def test_scores_equal_bm25s_own_indexing(index):
    tok = Tokenizer()
    passages = [index.passage(i) for i in range(len(index))]
    tokens = [tok(" ".join(x for x in (p.title, p.section, p.text) if x)) for p in passages]
    reference = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    reference.index(tokens, show_progress=False)
    query = tok("kidney creatinine warfarin INR antibiotics fluids")
    want = reference.get_scores(query)
    ids = [index._engine.vocab_dict[t] for t in query]
    got = index._scores(ids)
    assert want.max() > 0
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_same_input_gives_the_same_bytes(corpus, tmp_path):
    a = build_index([corpus], tmp_path / "a").index.path
    # another process with another hash seed: no set or dict-of-str order may leak into the files
    code = (
        "import sys; from clinreason.tools.retrieval import build_index as b; "
        "b([sys.argv[1]], sys.argv[2])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(tmp_path / "b")], env=env, check=True
    )
    b = tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) >= 9 and META in {f.name for f in files}
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    rebuilt = build_index([corpus], tmp_path / "a").index  # over the old one
    assert [rebuilt.passage(i).id for i in range(len(rebuilt))] == (
        b / "ids.txt"
    ).read_text().splitlines()


def test_no_matching_word_gives_no_hits_and_k_caps(index):
    assert index.search("zzzz qqqq") == []
    assert index.search("the of and") == []  # stop words only
    assert len(index.search("INR", k=100)) == 1


def test_ties_are_ordered_by_position(tmp_path):
    passages = [Passage(id=f"p{i}", text="same words", source="s", start=0, end=10)
                for i in range(5)]  # fmt: skip
    ix = BM25Index.build(passages, tmp_path / "t")
    assert [h.passage.id for h in ix.search("words", k=3)] == ["p0", "p1", "p2"]


@pytest.mark.parametrize(
    ("query", "k", "message"),
    [("  ", 5, "empty query"), ("x" * 20_001, 5, "query is 20,001 characters"), ("a", 0, "k must")],
)
def test_bad_queries_are_clear_errors(index, query, k, message):
    with pytest.raises(ConfigError, match=message):
        index.search(query, k)


def test_another_format_version_is_refused_in_one_line(index):
    meta_path = index.path / META
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 99
    meta["clinreason_version"] = "9.9.9"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexFormatError) as err:
        BM25Index.load(index.path)
    message = str(err.value)
    assert "\n" not in message
    assert "index format 99 (written by clinreason 9.9.9)" in message
    assert "reads format 1: rebuild it" in message


def test_another_tokenizer_is_refused(index):
    meta_path = index.path / META
    meta = json.loads(meta_path.read_text())
    meta["tokenizer"] = "whitespace"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexFormatError, match="tokenizer 'whitespace'"):
        BM25Index.load(index.path)


def test_not_an_index_and_incomplete_index(index, tmp_path):
    with pytest.raises(IndexFormatError, match="is not a clinreason index"):
        BM25Index.load(tmp_path)
    with pytest.raises(IndexFormatError, match="no index at"):
        BM25Index.load(tmp_path / "absent")
    (index.path / "ids.txt").unlink()
    with pytest.raises(IndexFormatError, match=r"ids\.txt is missing"):
        BM25Index.load(index.path)


def test_duplicate_ids_are_skipped_or_refused_under_strict(corpus, tmp_path):
    (corpus / "zz.jsonl").write_text(json.dumps({"id": "pmid:111", "text": "other"}) + "\n")
    report = build_index([corpus], tmp_path / "ix")
    assert [str(s) for s in report.skipped] == [
        "corpus/zz.jsonl line 1: duplicate id 'pmid:111' (first at corpus/papers.jsonl line 1); "
        "left out"
    ]
    assert report.index.get("pmid:111").text.startswith("Asthma")
    assert [s.path for s in report.index.info().skipped] == ["corpus/zz.jsonl line 1"]
    with pytest.raises(CorpusError, match=r"duplicate id 'pmid:111'.*\(--strict\)"):
        build_index([corpus], tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()


def test_nothing_indexable_is_a_clear_error(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bin.md").write_bytes(b"\x00\x01")
    with pytest.raises(CorpusError, match=r"^nothing to index: every input was skipped \(bad/bin"):
        build_index([folder], tmp_path / "ix")
    empty = tmp_path / "none"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no documents found"):
        build_index([empty], tmp_path / "ix")


def test_out_must_not_be_another_folder(corpus, tmp_path):
    with pytest.raises(ConfigError, match="exists and is not a clinreason index"):
        build_index([corpus], corpus)
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        build_index([corpus], tmp_path / "f")


def test_licence_is_recorded_where_the_input_names_none(corpus, tmp_path):
    ix = build_index([corpus], tmp_path / "ix", licence="CC-BY-4.0").index
    assert {ix.passage(i).licence for i in range(len(ix))} == {"CC-BY-4.0"}
