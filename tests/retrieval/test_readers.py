"""Readers: each file type, offsets into the (extracted) text, and bad input as recorded skips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from clinreason.errors import ConfigError
from clinreason.tools.retrieval import Document, Skip, passages_of, read_paths
from clinreason.tools.retrieval.readers import read_file
from tests.retrieval.pdfs import make_pdf


def _read(path: Path) -> list[Document | Skip]:
    items = list(read_file(path, path.name))
    assert items, "the reader returned nothing"
    return items


def _one_doc(path: Path) -> Document:
    items = _read(path)
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def _one_skip(path: Path) -> str:
    items = _read(path)
    assert len(items) == 1 and isinstance(items[0], Skip), items
    return items[0].reason


def _passages_round_trip(doc: Document) -> None:
    passages = passages_of(doc)
    assert passages
    for p in passages:
        assert doc.text[p.start : p.end] == p.text


def test_txt(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("\ufeffFirst paragraph, café.\n\nSecond: 急性.\n", encoding="utf-8")
    doc = _one_doc(path)
    assert doc.text.startswith("First")  # the BOM is not text
    assert doc.title == "note" and doc.source == "note.txt"
    _passages_round_trip(doc)


def test_markdown_title_and_sections(tmp_path):
    path = tmp_path / "aki.md"
    path.write_text("# AKI guide\n\n## Staging\n\nStage 1 ...\n\n## Treatment\n\nStop NSAIDs.\n")
    doc = _one_doc(path)
    assert doc.title == "AKI guide"
    assert [s.label for s in doc.sections] == ["AKI guide", "Staging", "Treatment"]
    passages = passages_of(doc, max_chars=30)
    assert [(p.section, p.text) for p in passages] == [
        ("Staging", "# AKI guide\n\n## Staging"),
        ("Staging", "Stage 1 ..."),
        ("Treatment", "## Treatment\n\nStop NSAIDs."),
    ]
    _passages_round_trip(doc)


def test_html_visible_text_entities_headings(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>AKI  page</title><style>p{x:1}</style>"
        "<script>var secret = 'hidden';</script></head><body>"
        "<h1>Acute kidney injury</h1><p>Creatinine &ge; 1.5&times; baseline &amp; rising.</p>"
        "<h2>Treat<i>ment</i></h2><ul><li>Stop nephrotoxins</li><li>Fluids</li></ul>"
        "<pre>keep   spacing</pre></body></html>"
    )
    doc = _one_doc(path)
    assert doc.title == "AKI page"
    assert "secret" not in doc.text and "p{x" not in doc.text
    assert "Creatinine ≥ 1.5× baseline & rising." in doc.text
    assert "keep   spacing" in doc.text
    assert [s.label for s in doc.sections] == ["Acute kidney injury", "Treatment"]
    for s in doc.sections:
        assert doc.text[s.start : s.heading_end] == s.label
    _passages_round_trip(doc)


def test_pdf_pages_become_sections(tmp_path):
    path = tmp_path / "guide.pdf"
    path.write_bytes(
        make_pdf(
            [["Acute kidney injury (AKI) is common.", "Stage 3 may need dialysis."], [], ["Last."]],
            title="AKI handbook",
        )
    )
    doc = _one_doc(path)
    assert doc.title == "AKI handbook"
    assert "Stage 3 may need dialysis." in doc.text
    assert [s.label for s in doc.sections] == ["page 1", "page 3"]  # the empty page 2 is not one
    passages = passages_of(doc)
    assert [p.section for p in passages] == ["page 1", "page 3"]
    assert passages[1].text == "Last."
    _passages_round_trip(doc)


def test_encrypted_pdf_is_skipped(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf([["secret text"]]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="pw", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert _one_skip(path) == "encrypted PDF (needs a password)"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n \t", "empty file"),
        ("bin.txt", b"\x7fELF\x02\x01\x00\x00binary", "binary file (NUL bytes), not text"),
        ("latin1.txt", "café".encode("latin-1"), "not UTF-8 text (invalid byte at offset 3)"),
        ("fake.pdf", b"hello, not a pdf", "not a PDF (no %PDF header)"),
        ("image.pdf", make_pdf([[]]), "no text layer in the PDF (a scanned image? run OCR first)"),
        ("empty.html", b"<html><script>x()</script></html>", "no visible text in the HTML"),
        ("data.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    assert _one_skip(path) == reason


def test_damaged_pdf_is_skipped(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(make_pdf([["text"]])[:60])
    reason = _one_skip(path)
    assert reason.startswith(("unreadable PDF (", "no text layer")), reason


def test_jsonl_records_and_bad_lines(tmp_path):
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "p1", "text": "Warfarin and INR.", "title": "T", "doi": "10.1/x",
                    "pmid": 123, "licence": "CC-BY-4.0", "source": "pubmed"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "p2", "text": "   "}),
        json.dumps({"id": 7, "text": "numeric id", "license": "MIT", "url": "https://x"}),
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    items = _read(path)
    docs = [i for i in items if isinstance(i, Document)]
    skips = [str(i) for i in items if isinstance(i, Skip)]
    assert [(d.doc_id, d.source, d.title, d.doi, d.pmid, d.licence) for d in docs] == [
        ("p1", "pubmed", "T", "10.1/x", "123", "CC-BY-4.0"),
        ("7", "corpus.jsonl", None, None, None, "MIT"),
    ]
    assert docs[1].url == "https://x"
    assert skips == [
        "corpus.jsonl line 3: not valid JSON (Expecting property name enclosed in double quotes)",
        "corpus.jsonl line 4: not a JSON object",
        "corpus.jsonl line 5: no 'id'",
        "corpus.jsonl line 6: record 'p2' has no 'text'",
    ]
    assert [p.id for p in passages_of(docs[0])] == ["p1"]  # a record kept whole keeps its id


def test_folders_are_walked_in_order_and_hidden_files_ignored(tmp_path):
    root = tmp_path / "corpus"
    (root / "b").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("hidden")
    (root / "b" / "z.md").write_text("# Z\n\nzed")
    (root / "a.txt").write_text("aye")
    (root / ".hidden.txt").write_text("hidden")
    items = list(read_paths([root]))
    assert [i.source for i in items if isinstance(i, Document)] == ["corpus/a.txt", "corpus/b/z.md"]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=r"^no such file or directory: .*nope$"):
        list(read_paths([tmp_path / "nope"]))
