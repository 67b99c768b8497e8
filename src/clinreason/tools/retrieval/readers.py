"""Read a user's documents (.txt, .md, .html, .jsonl, .pdf) into `Document`s with offsets kept.

A file that cannot be used (empty, binary, not UTF-8, an unreadable or image-only PDF, a bad
jsonl line) becomes a `Skip` with a one-line reason; it never raises a traceback. A path that
does not exist is the caller's mistake and raises `ConfigError`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from clinreason.errors import ConfigError
from clinreason.tools.retrieval.chunk import Section, markdown_sections
from clinreason.tools.retrieval.passage import Skip

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".pdf")
"""File types `read_paths` reads; other files in a folder are listed as skipped."""
_SNIFF = 8192
logger = logging.getLogger(__name__)


@dataclass
class Document:
    """One source document: its text (decoded or extracted), where it came from, its sections."""

    text: str
    source: str
    doc_id: str
    origin: str
    """Where to point a user for a problem with it ('notes/a.md', 'c.jsonl line 7')."""
    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    licence: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    record_id: bool = False
    """True when `doc_id` came from a jsonl record (an unsplit passage then keeps that id)."""
    whole: bool = False
    """Keep the document as one passage whatever its length (a term or code record)."""


class SkipError(Exception):
    """Raised by a reader: the input is left out for the reason given."""


def _decode(data: bytes) -> str:
    if not data.strip():
        raise SkipError("empty file")
    if b"\x00" in data[:_SNIFF]:
        raise SkipError("binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise SkipError("empty file")
    return text


def read_text(path: Path, source: str) -> Document:
    """A .txt file: paragraphs only, title = file name without its suffix."""
    return Document(_decode(path.read_bytes()), source, source, source, title=path.stem)


def read_markdown(path: Path, source: str) -> Document:
    """A .md file: sections at ATX headings; title = the first level-1 heading, else the stem."""
    text = _decode(path.read_bytes())
    sections = markdown_sections(text)
    title = next((s.label for s in sections if text[s.start :].lstrip().startswith("# ")), None)
    return Document(text, source, source, source, title=title or path.stem, sections=sections)


_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
    "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "td", "th", "tr", "ul",
}  # fmt: skip
_HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _HTMLText(HTMLParser):
    """Visible text with block elements as paragraph breaks and headings recorded as sections."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.hidden = 0
        self.pre = 0
        self.in_title = False
        self.title_parts: list[str] = []
        self.sections: list[Section] = []
        self.heading: tuple[int, list[str]] | None = None
        self.pending_break = False
        self.pending_space = False

    def _emit(self, text: str) -> None:
        if self.size and self.pending_break:
            self.parts.append("\n\n")
            self.size += 2
        elif self.size and self.pending_space:
            self.parts.append(" ")
            self.size += 1
        self.pending_break = self.pending_space = False
        if self.heading is not None and self.heading[0] < 0:
            self.heading = (self.size, self.heading[1])
        self.parts.append(text)
        self.size += len(text)
        if self.heading is not None:
            self.heading[1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN:
            self.hidden += 1
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.pending_break = True
        if tag in _HEADINGS and not self.hidden:
            self.heading = (-1, [])  # its start is where its first text lands

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in _HEADINGS and self.heading is not None:
            start, words = self.heading
            label = " ".join("".join(words).split())
            if label and start >= 0:
                self.sections.append(Section(start, label, self.size))
            self.heading = None
        if tag in _BLOCK:
            self.pending_break = True

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif self.hidden or not data:
            return
        elif self.pre:
            self._emit(data)
        else:
            words = " ".join(data.split())
            if data[0].isspace():
                self.pending_space = True
            if words:
                self._emit(words)
                self.pending_space = data[-1].isspace()

    def title(self) -> str | None:
        """The <title> text, if any."""
        return " ".join(" ".join(self.title_parts).split()) or None


def read_html(path: Path, source: str) -> Document:
    """An .html file: the visible text (scripts and styles dropped, entities decoded), block
    elements as blank lines, h1-h6 as sections; title = <title>, else the first heading."""
    parser = _HTMLText()
    parser.feed(_decode(path.read_bytes()))
    parser.close()
    text = "".join(parser.parts)
    if not text.strip():
        raise SkipError("no visible text in the HTML")
    title = parser.title() or (parser.sections[0].label if parser.sections else path.stem)
    return Document(text, source, source, source, title=title, sections=parser.sections)


def read_pdf(path: Path, source: str) -> Document:
    """A .pdf via pypdf: the text of each page, pages joined by a blank line, each page a
    section 'page N'. Encrypted, damaged and image-only PDFs are skipped with the reason."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not path.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
        raise SkipError("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipError("encrypted PDF (needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except SkipError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise SkipError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    parts: list[str] = []
    sections: list[Section] = []
    pos = 0
    for n, page in enumerate(pages, start=1):
        page = page.strip()
        if not page:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        sections.append(Section(pos, f"page {n}", pos))
        parts.append(page)
        pos += len(page)
    if not parts:
        raise SkipError("no text layer in the PDF (a scanned image? run OCR first)")
    title = str(meta_title).strip() if meta_title and str(meta_title).strip() else path.stem
    return Document("".join(parts), source, source, source, title=title, sections=sections)


def _opt_str(record: dict[str, object], *keys: str) -> str | None:
    for key in keys:
        if key not in record:
            continue
        value = record[key]
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def read_jsonl(path: Path, source: str) -> Iterator[Document | Skip]:
    """A .jsonl corpus: one document per line with `id` and `text`, optional `title`, `source`,
    `doi`, `pmid`, `url`, `licence`/`license`. Bad lines are skipped with line number and reason;
    duplicate ids are found by the index builder, across all inputs."""
    try:
        raw = _decode(path.read_bytes())
    except SkipError as exc:
        yield Skip(path=source, reason=str(exc))
        return
    for n, line in enumerate(raw.splitlines(), start=1):
        where = f"{source} line {n}"
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skip(path=where, reason=f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield Skip(path=where, reason="not a JSON object")
            continue
        rid = _opt_str(record, "id", "_id")
        text = record.get("text")
        if rid is None:
            yield Skip(path=where, reason="no 'id'")
            continue
        if not isinstance(text, str) or not text.strip():
            yield Skip(path=where, reason=f"record {rid!r} has no 'text'")
            continue
        yield Document(
            text,
            _opt_str(record, "source") or source,
            rid,
            where,
            title=_opt_str(record, "title"),
            licence=_opt_str(record, "licence", "license"),
            doi=_opt_str(record, "doi"),
            pmid=_opt_str(record, "pmid"),
            url=_opt_str(record, "url"),
            record_id=True,
        )


_READERS = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}


def read_file(path: Path, source: str) -> Iterator[Document | Skip]:
    """The documents of one file, or a `Skip` saying why it (or a line of it) is left out."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(path, source)
        return
    reader = _READERS.get(suffix)
    if reader is None:
        yield Skip(path=source, reason=f"unsupported file type {suffix or '(none)'!r}")
        return
    try:
        yield reader(path, source)
    except SkipError as exc:
        yield Skip(path=source, reason=str(exc))
    except OSError as exc:
        yield Skip(path=source, reason=f"cannot read ({exc.strerror or exc})")


def _files(root: Path) -> Iterator[Path]:
    """Files under a folder in a fixed order, hidden files and folders left out."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def read_paths(paths: list[str | os.PathLike[str]]) -> Iterator[Document | Skip]:
    """Documents from files and folders (walked recursively, in sorted order).

    A file's `source` is its path relative to the parent of the argument that named it
    ('guidelines/aki.md' for the folder argument `~/guidelines`), so it does not depend on
    the directory the command runs in.

    Raises:
        ConfigError: a path does not exist.
    """
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise ConfigError(f"no such file or directory: {raw}")
        base = path.resolve().parent
        targets = [path] if path.is_file() else list(_files(path))
        for file in targets:
            yield from read_file(file, file.resolve().relative_to(base).as_posix())
