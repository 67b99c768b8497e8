"""Chunking keeps offsets (text == document[start:end]), sizes, sections, unicode."""

from __future__ import annotations

import random

import pytest

from clinreason.tools.retrieval import Section, chunk_text
from clinreason.tools.retrieval.chunk import markdown_sections

UNICODE_DOC = (
    "# Fièvre et créatinine\n\n"
    "Le patient âgé présente une fièvre à 39,5 °C. Créatinine élevée à 2,1 mg/dL 🧪.\n\n"
    "## 急性腎障害\n\n"
    "急性腎障害は一般的です。クレアチニンが上昇します。尿量が減少します。\n\n"
    "## Emoji 👩‍⚕️ section\n\n"
    "Nurse 👩‍⚕️ checked the 💊 dose twice! Then the résumé was signed. Ω≈ç√∫.\n"
)


def _covered(text: str, chunks) -> str:
    """Every non-space character the chunks cover, in order."""
    return "".join(text[c.start : c.end] for c in chunks).replace(" ", "")


def _check(text: str, chunks, max_chars: int) -> None:
    assert chunks, "chunking returned nothing"
    prev_end = 0
    for c in chunks:
        piece = text[c.start : c.end]
        assert piece and piece == piece.strip(), (c, piece)
        assert c.start >= prev_end, "chunks overlap or are out of order"
        prev_end = c.end
    # nothing but whitespace is left out
    left_out = "".join(
        text[a:b]
        for a, b in zip(
            [0] + [c.end for c in chunks], [c.start for c in chunks] + [len(text)], strict=True
        )
    )
    assert not left_out.strip(), repr(left_out)
    assert all(c.end - c.start <= max_chars for c in chunks)


def test_offsets_round_trip_with_accents_cjk_and_emoji():
    sections = markdown_sections(UNICODE_DOC)
    assert [s.label for s in sections] == [
        "Fièvre et créatinine",
        "急性腎障害",
        "Emoji 👩‍⚕️ section",
    ]
    for max_chars in (1000, 60, 25, 10):
        chunks = chunk_text(UNICODE_DOC, sections, max_chars)
        _check(UNICODE_DOC, chunks, max_chars)
    chunks = chunk_text(UNICODE_DOC, sections, 1000)
    texts = [UNICODE_DOC[c.start : c.end] for c in chunks]
    assert texts[0].startswith("# Fièvre et créatinine\n\nLe patient âgé")
    assert (
        texts[1]
        == "## 急性腎障害\n\n急性腎障害は一般的です。クレアチニンが上昇します。尿量が減少します。"
    )
    assert chunks[2].section == "Emoji 👩‍⚕️ section"
    assert "👩‍⚕️ checked the 💊 dose" in texts[2]


def test_cjk_sentences_split_at_full_stops():
    text = "急性腎障害は一般的です。" * 20  # 240 characters, no spaces
    chunks = chunk_text(text, None, 50)
    _check(text, chunks, 50)
    assert all(text[c.start : c.end].endswith("です。") for c in chunks)


def test_long_paragraph_split_at_sentence_boundaries_near_the_limit():
    sentences = [f"Sentence number {i} says the dose is {i} mg." for i in range(60)]
    text = "Intro.\n\n" + " ".join(sentences)
    chunks = chunk_text(text, None, 300)
    _check(text, chunks, 300)
    assert len(chunks) > 5
    for c in chunks[1:]:
        piece = text[c.start : c.end]
        assert piece.startswith("Sentence number") and piece.endswith("mg."), piece
    assert all(c.end - c.start > 200 for c in chunks[1:-1])  # packed, not one sentence each


def test_abbreviation_before_lower_case_is_not_a_sentence_end():
    text = "Give e.g. the usual dose of 0.5 mg. Then stop. " * 3
    chunks = chunk_text(text.strip(), None, 60)
    pieces = [text[c.start : c.end] for c in chunks]
    assert all(not p.startswith("the usual") for p in pieces)


def test_word_longer_than_the_limit_is_cut_hard():
    text = "x" * 250 + " tail"
    chunks = chunk_text(text, None, 100)
    _check(text, chunks, 100)
    assert [c.end - c.start for c in chunks] == [100, 100, 55]


def test_sections_are_never_crossed_and_label_their_chunks():
    text = "page one text.\n\npage two text."
    sections = [Section(0, "page 1", 0), Section(16, "page 2", 16)]
    chunks = chunk_text(text, sections, 1000)
    assert [(text[c.start : c.end], c.section) for c in chunks] == [
        ("page one text.", "page 1"),
        ("page two text.", "page 2"),
    ]


def test_text_before_the_first_heading_has_no_section():
    text = "Preface line.\n\n# Head\n\nBody."
    chunks = chunk_text(text, markdown_sections(text), 1000)
    assert [(text[c.start : c.end], c.section) for c in chunks] == [
        ("Preface line.", None),
        ("# Head\n\nBody.", "Head"),
    ]


def test_crlf_and_blank_line_variants_split_paragraphs():
    text = "First para.\r\n\r\nSecond para.\n  \nThird."
    chunks = chunk_text(text, None, 12)
    assert [text[c.start : c.end] for c in chunks] == ["First para.", "Second para.", "Third."]


def test_whitespace_only_text_gives_no_chunks():
    assert chunk_text(" \n\n\t ", None) == []


def test_too_small_limit_is_refused():
    with pytest.raises(ValueError, match="at least 10"):
        chunk_text("abc", None, 5)


def test_random_documents_round_trip():
    rng = random.Random(13)
    alphabet = "abc déf 急性 👩‍⚕️ .!?\n\n# "
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        max_chars = rng.choice([10, 30, 80, 1000])
        chunks = chunk_text(text, markdown_sections(text), max_chars)
        if text.strip():
            _check(text, chunks, max_chars)
        else:
            assert chunks == []
