"""Dataset loaders on tiny hand-written fixtures: mapping, ids, hashes, clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from clinreason.bench.datasets import casimedicos, medmcqa, medqa, mirage, mmlu, pubmedqa
from clinreason.errors import DatasetError


def test_mirage_ids_subsets_gold_and_hash(data_dir: Path) -> None:
    path = data_dir / "mirage_tiny.json"
    ds = mirage.load(path)
    assert [c.id for c in ds] == ["medqa/0000", "medqa/0001", "pubmedqa/111"]
    assert [c.metadata["dataset"] for c in ds] == ["medqa", "medqa", "pubmedqa"]
    assert ds.cases[1].gold == "C" and ds.cases[1].options["C"] == "Vitamin C"
    assert ds.cases[2].metadata["pmid"] == ["111"]
    assert ds.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (ds.name, ds.version) == ("mirage", "1")
    only = mirage.load(path, subsets=["pubmedqa"])
    assert [c.id for c in only] == ["pubmedqa/111"]


def test_mirage_rejects_gold_outside_options(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(
        json.dumps(
            {"medqa": {"1": {"question": "q?", "options": {"A": "x", "B": "y"}, "answer": "E"}}}
        )
    )
    with pytest.raises(DatasetError, match=r"medqa/1.*answer 'E'"):
        mirage.load(bad)


def test_missing_file_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"not found at .*never downloads.*Teddy-XiongGZ/MIRAGE"):
        mirage.load(tmp_path / "benchmark.json")
    with pytest.raises(DatasetError, match="jind11/MedQA"):
        medqa.load(tmp_path / "test.jsonl")


def test_medqa_index_ids_step_and_answer_from_text(data_dir: Path) -> None:
    ds = medqa.load(data_dir / "medqa_tiny.jsonl")
    assert [c.id for c in ds] == ["0000", "0001", "0002"]  # blank line skipped, ids by item
    assert [c.gold for c in ds] == ["A", "C", "B"]  # the third has no answer_idx: matched by text
    assert ds.cases[1].metadata["step"] == "step1"
    assert len(ds.cases[0].options) == 5


def test_medqa_bad_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.jsonl"
    bad.write_text(
        '{"question": "q?", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}\n{"question": 3\n'
    )
    with pytest.raises(DatasetError, match=r"m.jsonl line 2: invalid JSON"):
        medqa.load(bad)


def test_medmcqa_one_based_cop_and_explanation(data_dir: Path) -> None:
    ds = medmcqa.load(data_dir / "medmcqa_tiny.jsonl")
    first, second = ds.cases
    assert (first.id, first.gold, second.gold) == ("m-001", "A", "C")
    assert first.rationale == "Ethosuximide blocks T-type calcium channels."
    assert second.rationale is None
    assert first.metadata == {
        "dataset": "medmcqa",
        "subject": "Pharmacology",
        "topic": "Antiepileptics",
        "choice_type": "single",
    }


def test_medmcqa_zero_based_export_needs_cop_base(data_dir: Path) -> None:
    with pytest.raises(DatasetError, match="cop_base=0"):
        medmcqa.load(data_dir / "medmcqa_hf_tiny.jsonl")
    assert medmcqa.load(data_dir / "medmcqa_hf_tiny.jsonl", cop_base=0).cases[0].gold == "A"


def test_pubmedqa_contexts_labels_rationale_and_letters(data_dir: Path) -> None:
    ds = pubmedqa.load(data_dir / "pubmedqa_tiny.json")
    first, second = ds.cases
    assert first.options == {"A": "yes", "B": "no", "C": "maybe"}  # as in MIRAGE's PubMedQA*
    assert (first.gold, second.gold) == ("A", "C")
    assert (
        first.context == "BACKGROUND: Early mobilisation is debated.\n\n"
        "METHODS: We followed 120 patients for 30 days."
    )
    assert first.rationale == "Early mobilisation did not increase complications."
    assert second.context == "Nurses were surveyed."  # labels do not match contexts: text only
    assert first.metadata["year"] == "2011" and first.metadata["meshes"] == [
        "Hip",
        "Early Ambulation",
    ]


def test_mmlu_file_and_directory(data_dir: Path) -> None:
    one = mmlu.load(data_dir / "mmlu" / "anatomy_test.csv")
    assert [c.id for c in one] == ["anatomy-000", "anatomy-001"]
    assert one.cases[1].question == "Which muscle flexes the elbow, mainly?"  # quoted comma
    assert one.cases[1].gold == "C" and one.cases[1].metadata["subject"] == "anatomy"
    both = mmlu.load(data_dir / "mmlu", subjects=["anatomy", "clinical_knowledge"])
    assert len(both) == 3 and both.sha256 != one.sha256
    with pytest.raises(DatasetError, match=r"college_medicine_test\.csv"):
        mmlu.load(data_dir / "mmlu")  # default: the six MMLU-Med subjects


def test_mmlu_bad_answer_column(tmp_path: Path) -> None:
    bad = tmp_path / "x_test.csv"
    bad.write_text("q?,a,b,c,d,F\n")
    with pytest.raises(DatasetError, match="row 1: answer column 'F'"):
        mmlu.load(bad)


def test_casimedicos_rebuilds_question_options_gold_and_explanation(data_dir: Path) -> None:
    ds = casimedicos.load(data_dir / "casimedicos" / "EN" / "dev.tsv")
    first, second = ds.cases
    assert first.id == "dev-000" and first.question == "What is the most likely diagnosis?"
    assert first.context == "A 70-year-old man has exertional chest pain relieved by rest."
    assert first.options == {
        "1": "Stable angina.",
        "2": "Pericarditis.",
        "3": "Aortic dissection.",
        "4": "Costochondritis.",
        "5": "Pneumothorax.",
    }
    assert first.gold == "1"
    assert (
        first.rationale == "Pain on exertion relieved by rest is typical of stable angina. "
        "The other options do not fit."
    )
    assert first.metadata["question_type"] == "CARDIOLOGY" and first.metadata["language"] == "EN"
    assert (first.metadata["n_premises"], first.metadata["n_claims"]) == (1, 1)
    # "2 Hyperlipidemia." without the hyphen is still option 2; the missing fifth ("nan") is dropped
    assert second.options == {
        "1": "Hypocholesterolemia.",
        "2": "Hyperlipidemia.",
        "3": "Hypernatremia.",
        "4": "Polycythemia.",
    }
    assert (
        second.gold == "2"
        and second.context == "A woman has edema and heavy proteinuria. Her albumin is low."
    )


def test_casimedicos_without_answer_line(tmp_path: Path) -> None:
    bad = tmp_path / "dev.tsv"
    bad.write_text("QUESTION O\nTYPE: O\nX O\n\nWhich? O\n\n1- O\na O\n\n2- O\nb O\n")
    with pytest.raises(DatasetError, match="no 'CORRECT ANSWER: n'"):
        casimedicos.load(bad)
