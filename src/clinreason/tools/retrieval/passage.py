"""The retrieval data model: `Passage`, `Hit`, `Skip`, `IndexInfo`, and the index errors."""

from __future__ import annotations

from pydantic import Field, model_validator

from clinreason.errors import ConfigError, DatasetError
from clinreason.trace._base import DataModel

FORMAT_VERSION = 1
"""Version of the on-disk index layout; an index of another version is refused, not guessed at."""


class IndexFormatError(ConfigError):
    """A directory that is not a clinreason index, or one written in another format version."""


class CorpusError(DatasetError):
    """A corpus that cannot be indexed (nothing readable, or a skip under `strict`)."""


class Passage(DataModel, frozen=True):
    """A span of a source document that can be retrieved and cited.

    `text == document[start:end]`, where the document is the decoded file (.txt, .md), the text
    extracted from it (.html, .pdf: pages joined by a blank line) or a jsonl record's `text`.

    >>> p = Passage(id="a.md#1", text="AKI", source="a.md", start=0, end=3)
    >>> p.text, p.document
    ('AKI', 'a.md')
    """

    id: str
    """Stable id: `<source>#<n>` for files, the record id (or `<id>#<n>` when split) for jsonl."""
    text: str
    source: str
    """Where it comes from: a path relative to the folder or file given, or a corpus name."""
    start: int = Field(ge=0)
    """Character offset of the passage in its document."""
    end: int = Field(ge=0)
    title: str | None = None
    """The document's title."""
    section: str | None = None
    """The heading (or 'page N' of a PDF) the passage sits under."""
    doc_id: str | None = None
    """Id of the document the passage was cut from (default: `source`)."""
    licence: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _span(self) -> Passage:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"passage {self.id}: end - start = {self.end - self.start} but the text has "
                f"{len(self.text)} characters"
            )
        return self

    @property
    def document(self) -> str:
        """The id of the source document (`doc_id`, else `source`)."""
        return self.doc_id or self.source

    def snippet(self, width: int = 160) -> str:
        """The passage on one line, cut to `width` characters.

        >>> Passage(id="x", text="a\\n\\nb " * 3, source="s", start=0, end=15).snippet(8)
        'a b a b…'
        """
        flat = " ".join(self.text.split())
        return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


class Hit(DataModel, frozen=True):
    """One search result: the passage and its score (higher is better; BM25 scores are > 0)."""

    passage: Passage
    score: float


class Skip(DataModel, frozen=True):
    """An input (file, or a line of a jsonl file) left out of an index, with the reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class IndexInfo(DataModel, frozen=True):
    """What an index holds and how it was built (`clinreason index info`)."""

    path: str
    format_version: int
    clinreason_version: str
    engine: str
    """e.g. 'bm25s 0.3.16 (lucene, k1=1.5, b=0.75)'."""
    tokenizer: str
    passages: int
    documents: int
    sources: dict[str, int] = {}
    """Passages per corpus family (first part of the source, e.g. 'hpo', 'guidelines/')."""
    inputs: list[str] = []
    """What the index was built from (paths as given, or corpus names)."""
    skipped: list[Skip] = []
    corpus_versions: dict[str, str] = {}
    """Version of each packaged corpus used (default corpus only)."""
    missing: list[str] = []
    """Packaged corpora that were wanted but not installed, with how to add them."""
    passages_sha256: str
    """Hash of the passages file: equal hashes, equal passages."""
