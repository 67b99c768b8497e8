"""The default corpus: guideline summaries (open-medicine), HPO terms, ICD-10-CM, the cache."""

from __future__ import annotations

import itertools
import logging
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

from clinreason.tools.retrieval import BM25Index, Document, corpora, default_index, passages_of
from clinreason.tools.retrieval.bm25 import META


def _open_medicine_installed() -> bool:
    try:
        distribution("open-medicine")
    except PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(
    not _open_medicine_installed(), reason="open-medicine not installed (extra [corpus])"
)
def test_open_medicine_guideline_summaries():
    docs = list(corpora.open_medicine_documents())
    assert len(docs) >= 140
    assert len({d.source.split("/")[1] for d in docs}) >= 40
    assert all(d.doi and d.licence.startswith("MIT (open-medicine") for d in docs)
    aki = next(
        d for d in docs if d.source == "open-medicine/kdigo_aki_2012/definition_and_staging.md"
    )
    assert aki.doi == "10.1038/kisup.2012.1"
    assert aki.title.startswith("KDIGO Clinical Practice Guideline for Acute Kidney Injury")
    assert "AKI Staging" in [s.label for s in aki.sections]
    on_disk = corpora._open_medicine_root() / "content/kdigo_aki_2012/definition_and_staging.md"
    source = on_disk.read_text("utf-8")
    for p in passages_of(aki):
        assert source[p.start : p.end] == p.text


def test_hpo_terms_with_definitions_from_an_obo(tmp_path):
    obo = tmp_path / "hp.obo"
    obo.write_text(
        "data-version: hp/releases/test\n\n[Term]\nid: HP:0001250\nname: Seizure\n"
        'def: "A seizure is an intermittent abnormality of nervous system physiology." []\n'
        'synonym: "Epileptic seizure" EXACT []\nsynonym: "Fits" BROAD []\n'
    )
    docs = {d.doc_id: d for d in corpora.hpo_documents(obo)}
    assert len(docs) > 15_000
    seizure = docs["HP:0001250"]
    assert seizure.text.startswith("Seizure (HP:0001250). Definition: A seizure is an")
    assert "Epileptic seizure" in seizure.text and "Fits" not in seizure.text
    assert seizure.whole and seizure.source == "hpo" and seizure.licence == corpora.HPO_LICENCE
    assert [p.id for p in passages_of(seizure)] == ["HP:0001250"]
    without = next(d for d in corpora.hpo_documents(None) if d.doc_id == "HP:0001250")
    assert "Definition" not in without.text


_OBO_DEF = re.compile(r'^def: "((?:[^"\\]|\\.)*)"')
_OBO_SYN = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|RELATED) ')


def _raw_obo(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Term id -> (definition, EXACT/RELATED synonyms in file order), read line by line here,
    independently of the shared loader the corpus uses (the corpus's reader before it)."""
    out: dict[str, tuple[str, list[str]]] = {}
    tid = None
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("["):
            tid = None
        elif line.startswith("id: HP:"):
            tid = line[4:].strip()
            out[tid] = ("", [])
        elif tid and (m := _OBO_DEF.match(line)):
            out[tid] = (m.group(1).replace('\\"', '"'), out[tid][1])
        elif tid and (m := _OBO_SYN.match(line)):
            out[tid][1].append(m.group(1).replace('\\"', '"'))
    return out


@pytest.mark.skipif(corpora.find_obo() is None, reason="no hp.obo: run `make kg-data`")
def test_hpo_documents_hold_every_definition_and_synonym_of_the_real_obo():
    obo = corpora.find_obo()
    raw = _raw_obo(obo)
    docs = list(corpora.hpo_documents(obo))
    assert len(docs) > 15_000
    with_def = 0
    for d in docs:
        definition, syns = raw.get(d.doc_id, ("", []))
        head = f"{d.title} ({d.doc_id})."
        assert d.text.startswith(head + (f" Definition: {definition}" if definition else ""))
        with_def += bool(definition)
        shown = [n for n in dict.fromkeys(syns) if n.casefold() != d.title.casefold()]
        if shown:
            listed = d.text.split(" Synonyms: ", 1)[1]
            assert listed.startswith("; ".join(shown)), d.doc_id
    assert with_def > 10_000


def test_icd10cm_codes():
    docs = list(itertools.islice(corpora.icd_documents(), 4000))
    by_id = {d.doc_id: d for d in docs}
    assert len(by_id) == len(docs)  # blocks that share a category's code appear once
    assert by_id["ICD10CM:1"].text.startswith("ICD-10-CM chapter 1: Certain infectious")
    assert by_id["ICD10CM:A00-A09"].text.startswith("ICD-10-CM block A00-A09: Intestinal")
    assert by_id["ICD10CM:A00.0"].text.startswith("A00.0 Cholera due to Vibrio cholerae 01")
    assert "In A00: Cholera." in by_id["ICD10CM:A00.0"].text
    assert "ICD10CM:B10" in by_id and "In B10" not in by_id["ICD10CM:B10"].text
    assert not any(len(i.split(":")[1].replace(".", "")) == 7 for i in by_id if "-" not in i)


def test_obo_is_found_through_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(corpora.OBO_ENV_VAR, str(tmp_path / "x.obo"))
    assert corpora.find_obo() == tmp_path / "x.obo"


def _tiny_corpus():
    yield Document("Warfarin needs INR monitoring.", "mini", "m1", "mini 1", record_id=True)
    yield Document("Stage 3 AKI: creatinine three times baseline.", "mini", "m2", "mini 2",
                   record_id=True)  # fmt: skip


def test_default_index_builds_once_then_loads_from_the_cache(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(corpora, "default_documents", _tiny_corpus)
    first = default_index(tmp_path)
    assert first.path.parent == tmp_path and first.path.name.startswith("default-")
    assert first.search("creatinine")[0].passage.id == "m2"
    assert first.info().inputs == ["default corpus"]
    assert "icd10cm" in first.info().corpus_versions
    stamp = (first.path / META).stat().st_mtime_ns
    again = default_index(tmp_path)
    assert again.path == first.path and (again.path / META).stat().st_mtime_ns == stamp
    meta = first.path / META
    meta.write_text(meta.read_text().replace('"format_version": 1', '"format_version": 0'))
    with caplog.at_level(logging.WARNING):
        rebuilt = default_index(tmp_path)
    assert "rebuilding the default index" in caplog.text
    assert BM25Index.load(rebuilt.path).info().format_version == 1


def test_missing_guideline_package_is_reported(monkeypatch):
    monkeypatch.setattr(corpora, "_open_medicine_root", lambda: None)
    versions, missing = corpora.default_corpus_status()
    assert "open-medicine" not in versions
    assert corpora.OPEN_MEDICINE_HINT in missing
    assert list(corpora.open_medicine_documents()) == []
