"""`clinreason index build|search|info` through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from clinreason.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_build_search_info(corpus, tmp_path):
    (corpus / "empty.txt").write_text("")
    out = tmp_path / "ix"
    result = _run("index", "build", str(corpus), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "indexed 7 passages from 5 documents into" in result.output
    assert "corpus: 7 passages" in result.output
    assert "skipped 1:\n  corpus/empty.txt: empty file" in result.output

    result = _run("index", "search", str(out), "stage 3 kidney injury creatinine", "-k", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. corpus/aki.md#1  score ")
    assert lines[0].endswith("[corpus/aki.md § Staging]")
    assert lines[1].strip().startswith("# Acute kidney injury ## Staging Stage 3 acute kidney")
    assert len([line for line in lines if line[:1].isdigit()]) == 2

    result = _run("index", "search", str(out), "salbutamol", "--json")
    hits = json.loads(result.output)
    assert hits[0]["rank"] == 1
    assert hits[0]["passage"]["id"] == "pmid:111" and hits[0]["passage"]["pmid"] == "111"
    assert hits[0]["score"] > 0

    result = _run("index", "search", str(out), "zzzz")
    assert result.output.strip() == "no passage contains any word of the query"

    result = _run("index", "info", str(out))
    assert result.exit_code == 0
    assert "7 passages from 5 documents" in result.output
    assert "corpus/empty.txt: empty file" in result.output
    info = json.loads(_run("index", "info", str(out), "--json").output)
    assert info["passages"] == 7 and info["format_version"] == 1


def _one_line_error(result, text: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.output


def test_errors_are_one_line(corpus, tmp_path):
    _one_line_error(_run("index", "build", "--out", str(tmp_path / "x")), "nothing to index")
    _one_line_error(
        _run("index", "build", str(tmp_path / "nope"), "--out", str(tmp_path / "x")),
        "no such file or directory",
    )
    _one_line_error(
        _run("index", "build", str(corpus), "--out", str(corpus)), "is not a clinreason index"
    )
    _one_line_error(_run("index", "search", str(corpus), "x"), "is not a clinreason index")
    _one_line_error(_run("index", "info", str(tmp_path / "none")), "no index at")
    out = tmp_path / "ix"
    assert _run("index", "build", str(corpus), "--out", str(out)).exit_code == 0
    _one_line_error(_run("index", "search", str(out), "   "), "empty query")
    (corpus / "bin.txt").write_bytes(b"\x00\x00")
    _one_line_error(
        _run("index", "build", str(corpus), "--out", str(out), "--strict"),
        "corpus/bin.txt: binary file (NUL bytes), not text (--strict)",
    )
    meta = out / "clinreason-index.json"
    meta.write_text(meta.read_text().replace('"format_version": 1', '"format_version": 0'))
    _one_line_error(_run("index", "info", str(out)), "is index format 0")


def test_search_default_builds_the_default_index_once_in_the_user_cache(tmp_path, monkeypatch):
    from clinreason.tools.retrieval import Document, corpora

    def tiny():
        yield Document("Colchicine for a gout flare.", "mini", "m1", "mini 1", record_id=True)

    monkeypatch.setattr(corpora, "default_documents", tiny)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no folder named 'default' here
    first = _run("index", "search", "default", "gout colchicine")
    assert first.exit_code == 0, first.output
    assert "building the default clinical index once" in first.output
    assert "1. m1  score" in first.output
    assert list((tmp_path / "cache" / "clinreason" / "retrieval").glob("default-*"))
    again = _run("index", "search", "default", "gout")
    assert "building" not in again.output and "1. m1  score" in again.output
