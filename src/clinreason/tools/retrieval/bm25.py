"""`BM25Index`: lexical search with bm25s over passages kept in a memory-mapped side file.

On disk (a directory):
    clinreason-index.json   format version, clinreason version, tokenizer, counts, skips
    passages.jsonl          one Passage per line, in index order
    passages.offsets.npy    byte offset of each line (N + 1 values), memory-mapped
    ids.txt                 passage ids, one per line (read on the first `get`)
    bm25/                   the bm25s index (CSC score matrix, vocabulary, parameters)

The score matrix is computed here with numpy (bm25s's Lucene BM25: idf = ln(1 + (N - df + 0.5) /
(df + 0.5)), tf part = tf / (tf + k1 (1 - b + b dl / avgdl))) in one vectorised pass, then saved
and loaded with bm25s (`mmap=True`), so a million passages build in bounded memory and load
without reading the matrix into RAM. Nothing in the directory depends on time or hash seeds:
the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from clinreason.errors import ConfigError
from clinreason.tools.retrieval import tokenize
from clinreason.tools.retrieval.passage import (
    FORMAT_VERSION,
    Hit,
    IndexFormatError,
    IndexInfo,
    Passage,
    Skip,
)

META = "clinreason-index.json"
FORMAT_NAME = "clinreason-retrieval-index"
MAX_QUERY_CHARS = 20_000
"""A longer query is refused with a clear error (search a note's key findings, not a book)."""
K1, B = 1.5, 0.75
Progress = Callable[[str, int], None]


def _clinreason_version() -> str:
    from clinreason import __version__

    return __version__


def _bm25s_version() -> str:
    from importlib.metadata import version

    return version("bm25s")


def _passage_line(p: Passage) -> bytes:
    return p.__pydantic_serializer__.to_json(p, exclude_none=True) + b"\n"


class _Writer:
    """Streams passages to disk and collects their token ids for the score matrix."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.out = (folder / "passages.jsonl").open("wb")
        self.ids_out = (folder / "ids.txt").open("w", encoding="utf-8", newline="\n")
        self.sha = hashlib.sha256()
        self.offsets = array("q", [0])
        self.tokens = array("i")
        self.lengths = array("q")
        self.vocab: dict[str, int] = {}
        self.tokenizer = tokenize.Tokenizer()
        self.word_ids: dict[str, int] = {}
        self.documents: set[str] = set()
        self.families: dict[str, int] = {}

    def add(self, p: Passage) -> None:
        line = _passage_line(p)
        self.out.write(line)
        self.sha.update(line)
        self.offsets.append(self.offsets[-1] + len(line))
        self.ids_out.write(p.id.replace("\n", " ") + "\n")
        ids = self.token_ids(" ".join(x for x in (p.title, p.section, p.text) if x))
        self.tokens.extend(ids)
        self.lengths.append(len(ids))
        self.documents.add(p.document)
        family = p.source.split("/", 1)[0].split(":", 1)[0]
        self.families[family] = self.families.get(family, 0) + 1

    def token_ids(self, text: str) -> list[int]:
        """Vocabulary ids of the tokens of `text` (new tokens numbered in first-seen order)."""
        words = self.tokenizer.words(text)
        known = self.word_ids  # word -> token id, -1 for a stop word
        try:
            ids = list(map(known.__getitem__, words))
        except KeyError:
            new = [w for w in dict.fromkeys(words) if w not in known]
            vocab = self.vocab
            for word, stem in zip(new, self.tokenizer.stems(new), strict=True):
                if not stem:
                    known[word] = -1
                    continue
                tid = vocab.get(stem)
                if tid is None:
                    tid = vocab[stem] = len(vocab)
                known[word] = tid
            ids = list(map(known.__getitem__, words))
        return [i for i in ids if i >= 0] if -1 in ids else ids

    def close(self) -> None:
        self.out.close()
        self.ids_out.close()

    def score_matrix(self) -> dict[str, Any]:
        """The CSC matrix bm25s reads: column t holds (doc, score) for every doc containing t."""
        n_docs, n_vocab = len(self.lengths), len(self.vocab)
        lengths = np.frombuffer(self.lengths, dtype=np.int64)
        key = np.frombuffer(self.tokens, dtype=np.int32).astype(np.int64)
        key *= n_docs
        key += np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        key.sort()  # by term, then document
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        tf = np.diff(np.append(first, key.size)).astype(np.float32)
        pairs = key[first]
        del key, first
        term = (pairs // n_docs).astype(np.int32)
        docs = (pairs - term.astype(np.int64) * n_docs).astype(np.int32)
        del pairs
        df = np.bincount(term, minlength=n_vocab)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = float(lengths.mean()) if n_docs else 1.0
        norm = (K1 * (1 - B + B * lengths / max(avgdl, 1e-9))).astype(np.float32)
        data = idf[term]
        data *= tf / (tf + norm[docs])
        del term, tf
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return {
            "data": data,
            "indices": docs,
            "indptr": indptr,
            "num_docs": n_docs,
        }


class BM25Index:
    """A lexical passage index (bm25s); build with `BM25Index.build`, open with `BM25Index.load`.

    >>> import tempfile
    >>> ps = [Passage(id=str(i), text=t, source="demo", start=0, end=len(t))
    ...       for i, t in enumerate(["Warfarin needs INR checks.", "Stage 3 AKI: creatinine x3."])]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     index = BM25Index.build(ps, Path(d) / "ix")
    ...     [h.passage.id for h in index.search("creatinine in acute kidney injury (AKI)")]
    ['1']
    """

    def __init__(self, path: Path, meta: dict[str, Any], engine: Any, *, mmap_arrays: bool) -> None:
        self.path = path
        self._meta = meta
        self._engine = engine
        self._tokenizer = tokenize.Tokenizer()
        self._offsets = np.load(
            path / "passages.offsets.npy", mmap_mode="r" if mmap_arrays else None
        )
        with (path / "passages.jsonl").open("rb") as fh:
            self._lines = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self._rows: dict[str, int] | None = None

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        passages: Iterable[Passage],
        out: str | os.PathLike[str],
        *,
        meta: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> BM25Index:
        """Write an index of `passages` to the directory `out` and open it (see `write`)."""
        cls.write(passages, out, meta=meta, progress=progress)
        return cls.load(out)

    @staticmethod
    def write(
        passages: Iterable[Passage],
        out: str | os.PathLike[str],
        *,
        meta: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Write an index of `passages` to the directory `out` (created; must not hold files).

        Args:
            passages: in the order they should keep (ids must be unique).
            out: the index directory.
            meta: extra `IndexInfo` fields (inputs, skipped, corpus_versions, missing).
            progress: called as progress(stage, count) while passages stream in and per stage.

        Raises:
            CorpusError: no passages.
        """
        import bm25s

        from clinreason.tools.retrieval.passage import CorpusError

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        writer = _Writer(folder)
        try:
            for n, p in enumerate(passages, start=1):
                writer.add(p)
                if progress and n % 5000 == 0:
                    progress("passages", n)
        finally:
            writer.close()
        n_docs = len(writer.lengths)
        if n_docs == 0:
            raise CorpusError("nothing to index: no passages")
        if progress:
            progress("scoring", n_docs)
        engine = bm25s.BM25(k1=K1, b=B, method="lucene")
        engine.scores = writer.score_matrix()
        engine.vocab_dict = writer.vocab
        engine.nonoccurrence_array = None
        engine.save(str(folder / "bm25"), show_progress=False)
        np.save(folder / "passages.offsets.npy", np.frombuffer(writer.offsets, dtype=np.int64))
        info: dict[str, Any] = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "clinreason_version": _clinreason_version(),
            "engine": f"bm25s {_bm25s_version()} (lucene, k1={K1}, b={B})",
            "tokenizer": tokenize.NAME,
            "passages": n_docs,
            "documents": len(writer.documents),
            "sources": dict(sorted(writer.families.items())),
            "passages_sha256": writer.sha.hexdigest(),
            **(meta or {}),
        }
        text = json.dumps(info, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (folder / META).write_text(text, encoding="utf-8")

    # -- loading --------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, mmap: bool = True) -> BM25Index:
        """Open an index directory; with `mmap` (default) the score matrix and offsets stay on
        disk and are paged in as queries touch them.

        Raises:
            IndexFormatError: not an index, another format version or tokenizer, or incomplete.
        """
        import bm25s

        folder = Path(path)
        meta = read_meta(folder)
        for name in ("passages.jsonl", "passages.offsets.npy", "ids.txt", "bm25/params.index.json"):
            if not (folder / name).is_file():
                raise IndexFormatError(f"incomplete index {folder}: {name} is missing; rebuild it")
        engine = bm25s.BM25.load(str(folder / "bm25"), mmap=mmap, show_progress=False)
        index = cls(folder, meta, engine, mmap_arrays=mmap)
        if len(index._offsets) != meta["passages"] + 1:
            raise IndexFormatError(
                f"damaged index {folder}: {len(index._offsets) - 1} passage offsets for "
                f"{meta['passages']} passages; rebuild it"
            )
        return index

    # -- the Index protocol ---------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._meta["passages"])

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` best passages for `query` (fewer when fewer contain a query word), best first;
        equal scores are ordered by position in the index.

        Raises:
            ConfigError: empty or overlong query, or k < 1.
        """
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        if not query.strip():
            raise ConfigError("empty query")
        if len(query) > MAX_QUERY_CHARS:
            raise ConfigError(
                f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,} "
                "(search with the question and the note's key findings)"
            )
        vocab = self._engine.vocab_dict
        ids = [vocab[t] for t in dict.fromkeys(self._tokenizer(query)) if t in vocab]
        if not ids:
            return []
        rows, scores = self._top_k(self._scores(ids), k)
        pairs = zip(rows.tolist(), scores.tolist(), strict=True)
        return [Hit(passage=self.passage(r), score=s) for r, s in pairs]

    def _scores(self, token_ids: list[int]) -> np.ndarray:
        matrix = self._engine.scores
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        scores = np.zeros(len(self), dtype=np.float32)
        for t in token_ids:
            s, e = int(indptr[t]), int(indptr[t + 1])
            scores[indices[s:e]] += data[s:e]  # a term's postings hold each doc once
        return scores

    @staticmethod
    def _top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        cand = np.flatnonzero(scores > 0)
        vals = scores[cand]
        if cand.size > k:
            kth = np.partition(vals, cand.size - k)[cand.size - k]
            above = cand[vals > kth]
            ties = cand[vals == kth][: k - above.size]
            cand = np.concatenate((above, ties))
            vals = scores[cand]
        order = np.lexsort((cand, -vals))
        return cand[order], vals[order]

    def passage(self, row: int) -> Passage:
        """The passage at a position of the index (0-based)."""
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return Passage.model_validate_json(self._lines[start:end])

    def get(self, passage_id: str) -> Passage | None:
        """The passage with this id, or None (the id table is read on first use)."""
        if self._rows is None:
            lines = (self.path / "ids.txt").read_text(encoding="utf-8").splitlines()
            self._rows = {pid: i for i, pid in enumerate(lines)}
        row = self._rows.get(passage_id)
        return None if row is None else self.passage(row)

    def info(self) -> IndexInfo:
        """What the index holds and how it was built."""
        fields = set(IndexInfo.model_fields) - {"path"}
        return IndexInfo(
            path=str(self.path), **{k: v for k, v in self._meta.items() if k in fields}
        )

    def close(self) -> None:
        """Release the memory map of the passages file."""
        self._lines.close()


def read_meta(folder: Path) -> dict[str, Any]:
    """The index's metadata, checked: a clinreason index of this format version and tokenizer.

    Raises:
        IndexFormatError: with one line saying what is wrong and that a rebuild fixes it.
    """
    meta_path = folder / META
    if not folder.is_dir():
        raise IndexFormatError(f"no index at {folder} (build one with `clinreason index build`)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexFormatError(
            f"{folder} is not a clinreason index (no {META}); "
            "build one with `clinreason index build`"
        ) from None
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {meta_path}: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise IndexFormatError(f"{folder} is not a clinreason retrieval index ({META} differs)")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"{folder} is index format {version} (written by clinreason "
            f"{meta.get('clinreason_version', '?')}); this clinreason {_clinreason_version()} "
            f"reads format {FORMAT_VERSION}: rebuild it with `clinreason index build`"
        )
    if meta.get("tokenizer") != tokenize.NAME:
        raise IndexFormatError(
            f"{folder} was built with tokenizer {meta.get('tokenizer')!r}, this clinreason uses "
            f"{tokenize.NAME!r}: rebuild it with `clinreason index build`"
        )
    return meta


def skips_meta(skipped: list[Skip]) -> list[dict[str, str]]:
    """Skips as JSON-ready dicts for the metadata file."""
    return [s.model_dump() for s in skipped]
