"""Passage retrieval over clinical knowledge and the user's own documents (layer 1: no model calls).

    from clinreason.tools.retrieval import BM25Index, build_index, default_index
    build_index(["my_guidelines/"], "my.index")
    hits = BM25Index.load("my.index").search("contrast nephropathy prevention", k=3)
    hits = default_index().search("KDIGO stage 3 acute kidney injury")  # built once, then cached

Passages keep their place in the source document (`text == document[start:end]`), a stable id,
the source, title, section, licence and, where known, DOI/PMID/URL. `BM25Index` is the built-in
engine (bm25s, memory-mapped); anything with `search`/`get`/`info` is an `Index`.
`Reranked(index)` re-orders an index's best hits by MiniLM sentence-embedding similarity.
"""

from clinreason.tools.retrieval.base import Index
from clinreason.tools.retrieval.bm25 import MAX_QUERY_CHARS, BM25Index
from clinreason.tools.retrieval.build import BuildReport, build_index, passages_of
from clinreason.tools.retrieval.chunk import MAX_CHARS, Chunk, Section, chunk_text
from clinreason.tools.retrieval.corpora import default_documents, default_index, open_index
from clinreason.tools.retrieval.passage import (
    FORMAT_VERSION,
    CorpusError,
    Hit,
    IndexFormatError,
    IndexInfo,
    Passage,
    Skip,
)
from clinreason.tools.retrieval.readers import SUFFIXES, Document, read_paths
from clinreason.tools.retrieval.rerank import Reranked

__all__ = [
    "FORMAT_VERSION",
    "MAX_CHARS",
    "MAX_QUERY_CHARS",
    "SUFFIXES",
    "BM25Index",
    "BuildReport",
    "Chunk",
    "CorpusError",
    "Document",
    "Hit",
    "Index",
    "IndexFormatError",
    "IndexInfo",
    "Passage",
    "Reranked",
    "Section",
    "Skip",
    "build_index",
    "chunk_text",
    "default_documents",
    "default_index",
    "open_index",
    "passages_of",
    "read_paths",
]
