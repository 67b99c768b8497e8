"""Build an index from files, folders and packaged corpora: read -> chunk -> `BM25Index`.

Skipped inputs (and duplicate ids: the first document with an id wins) are listed in the
`BuildReport` and in the index's info; `strict=True` turns the first of them into an error.
The index is written to a temporary folder beside `out` and moved into place when complete,
so an interrupted build never leaves a half index where a good one was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clinreason.errors import ConfigError
from clinreason.tools.retrieval.bm25 import META, BM25Index, Progress, skips_meta
from clinreason.tools.retrieval.chunk import MAX_CHARS, Chunk, chunk_text, trim
from clinreason.tools.retrieval.passage import CorpusError, Passage, Skip
from clinreason.tools.retrieval.readers import Document, read_paths


@dataclass
class BuildReport:
    """What a build produced: the open index, counts, skipped inputs, wall time."""

    index: BM25Index
    passages: int
    documents: int
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0


def passages_of(doc: Document, max_chars: int = MAX_CHARS) -> list[Passage]:
    """Chunk one document. Ids are `<doc_id>#<n>` (n from 1), except that a jsonl record
    kept whole keeps its own id.

    >>> d = Document("First one.\\n\\nSecond one.", "a.txt", "a.txt", "a.txt")
    >>> [(p.id, p.text, p.start) for p in passages_of(d, max_chars=12)]
    [('a.txt#1', 'First one.', 0), ('a.txt#2', 'Second one.', 12)]
    """
    if doc.whole:
        start, end = trim(doc.text, 0, len(doc.text))
        chunks = [Chunk(start, end, None)] if end > start else []
    else:
        chunks = chunk_text(doc.text, doc.sections, max_chars)
    whole = doc.record_id and len(chunks) == 1
    return [
        Passage(
            id=doc.doc_id if whole else f"{doc.doc_id}#{n}",
            text=doc.text[c.start : c.end],
            source=doc.source,
            start=c.start,
            end=c.end,
            title=doc.title,
            section=c.section,
            doc_id=None if doc.doc_id == doc.source else doc.doc_id,
            licence=doc.licence,
            doi=doc.doi,
            pmid=doc.pmid,
            url=doc.url,
        )
        for n, c in enumerate(chunks, start=1)
    ]


class _Collector:
    """Turns documents into unique passages, recording skips (or raising under `strict`)."""

    def __init__(self, *, max_chars: int, licence: str | None, strict: bool) -> None:
        self.max_chars = max_chars
        self.licence = licence
        self.strict = strict
        self.skipped: list[Skip] = []
        self.docs: dict[str, str] = {}
        self.ids: set[str] = set()
        self.documents = 0

    def skip(self, item: Skip) -> None:
        if self.strict:
            raise CorpusError(f"{item} (--strict)")
        self.skipped.append(item)

    def passages(self, items: Iterable[Document | Skip]) -> Iterator[Passage]:
        for item in items:
            if isinstance(item, Skip):
                self.skip(item)
                continue
            first = self.docs.get(item.doc_id)
            if first is not None:
                self.skip(Skip(path=item.origin, reason=f"duplicate id {item.doc_id!r} "
                               f"(first at {first}); left out"))  # fmt: skip
                continue
            self.docs[item.doc_id] = item.origin
            if self.licence and item.licence is None:
                item.licence = self.licence
            out = passages_of(item, self.max_chars)
            clash = next((p.id for p in out if p.id in self.ids), None)
            if clash is not None:
                self.skip(Skip(path=item.origin, reason=f"passage id {clash!r} already used"))
                continue
            if not out:
                self.skip(Skip(path=item.origin, reason="no text to index"))
                continue
            self.ids.update(p.id for p in out)
            self.documents += 1
            yield from out


def check_out(out: Path) -> None:
    """Refuse to write over something that is not an index (an empty folder is fine).

    Raises:
        ConfigError: `out` is a file, or a folder with files that is not an index.
    """
    if not out.exists():
        return
    if out.is_file():
        raise ConfigError(f"--out {out} is a file; give a folder for the index")
    if not (out / META).is_file() and any(out.iterdir()):
        raise ConfigError(
            f"--out {out} exists and is not a clinreason index; choose another folder"
        )


def replace_dir(tmp: Path, out: Path) -> None:
    """Move a finished index from `tmp` to `out`, replacing the index there, if any."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    try:
        tmp.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_index(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    extra: Iterable[Document | Skip] = (),
    meta: dict[str, object] | None = None,
    max_chars: int = MAX_CHARS,
    licence: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Index the documents in `paths` (files and folders) plus `extra` documents into `out`.

    Args:
        paths: .txt/.md/.html/.jsonl/.pdf files and folders (walked recursively, sorted).
        out: the index folder (replaced when it already holds an index).
        extra: more documents first, e.g. `corpora.default_documents()`.
        meta: extra index metadata (`corpus_versions`, `missing`, `inputs`).
        max_chars: passage size.
        licence: the licence recorded on passages whose input names none.
        strict: the first skipped input or duplicate id is an error instead of a skip.
        progress: called as progress(stage, count).

    Raises:
        ConfigError: a path does not exist or `out` is not an index folder.
        CorpusError: nothing could be indexed, or a skip under `strict`.
    """
    started = time.perf_counter()
    target = Path(out)
    paths = [str(p) for p in paths]
    for p in paths:
        if not Path(p).expanduser().exists():
            raise ConfigError(f"no such file or directory: {p}")
    check_out(target)
    collector = _Collector(max_chars=max_chars, licence=licence, strict=strict)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)

    def items() -> Iterator[Document | Skip]:
        yield from extra
        yield from read_paths(paths)

    info: dict[str, object] = {"inputs": paths, **(meta or {})}
    try:
        passages = collector.passages(items())
        try:
            BM25Index.write(passages, tmp, meta=info, progress=progress)
        except CorpusError as exc:
            if collector.skipped:
                reasons = "; ".join(str(s) for s in collector.skipped[:3])
                more = len(collector.skipped) - 3
                tail = f"; and {more} more" if more > 0 else ""
                raise CorpusError(
                    f"nothing to index: every input was skipped ({reasons}{tail})"
                ) from None
            raise CorpusError(f"{exc} (no documents found in {', '.join(paths)})") from None
        _add_skips(tmp, collector.skipped)
        replace_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    index = BM25Index.load(target)
    return BuildReport(
        index=index,
        passages=len(index),
        documents=collector.documents,
        skipped=collector.skipped,
        seconds=time.perf_counter() - started,
    )


def _add_skips(folder: Path, skipped: list[Skip]) -> None:
    """Record the skips in the metadata file (known only once the passages are consumed)."""
    import json

    meta_path = folder / META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["skipped"] = skips_meta(skipped)
    text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    meta_path.write_text(text, encoding="utf-8")
