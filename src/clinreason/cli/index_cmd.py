"""`clinreason index build|search|info`: passage indexes over the user's documents and the
default clinical corpus (clinreason.tools.retrieval)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clinreason.cli._common import BuildProgress, open_index_arg
from clinreason.errors import ConfigError

if TYPE_CHECKING:
    from clinreason.tools.retrieval import Index


@click.group("index")
def index() -> None:
    """Build and search passage indexes (BM25) over documents and the default clinical corpus."""


@index.command("build")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Index folder.")
@click.option(
    "--default",
    "with_default",
    is_flag=True,
    help="Include the default clinical corpus (guideline summaries, HPO terms, ICD-10-CM).",
)
@click.option(
    "--chunk-chars",
    default=1000,
    show_default=True,
    type=click.IntRange(min=10),
    help="Passage size in characters (paragraphs are packed, long ones cut at sentences).",
)
@click.option("--licence", default=None, help="Licence to record on your documents' passages.")
@click.option("--strict", is_flag=True, help="Fail on the first skipped file or duplicate id.")
def build(
    paths: tuple[Path, ...],
    out: Path,
    with_default: bool,
    chunk_chars: int,
    licence: str | None,
    strict: bool,
) -> None:
    """Index .txt, .md, .html, .jsonl and .pdf files (folders are walked) into OUT.

    A .jsonl file holds one document per line: "id", "text", optional "title", "source",
    "doi", "pmid", "url", "licence". Files that cannot be read are skipped and listed; the
    same input always gives the same index.

    \b
    Examples:
      clinreason index build my_guidelines/ notes.pdf --out my.index
      clinreason index build --default --out clinical.index
      clinreason index search my.index "contrast nephropathy prevention"
    """
    from clinreason.tools.retrieval import build_index
    from clinreason.tools.retrieval.corpora import default_documents, default_meta

    if not paths and not with_default:
        raise ConfigError("nothing to index: give files or folders, or --default")
    meta = default_meta() if with_default else {}
    if with_default:
        meta["inputs"] = ["default corpus", *map(str, paths)]
        click.echo("reading the default clinical corpus ...", err=True)
    report = build_index(
        list(paths),
        out,
        extra=default_documents() if with_default else (),
        meta=meta,
        max_chars=chunk_chars,
        licence=licence,
        strict=strict,
        progress=BuildProgress(),
    )
    info = report.index.info()
    click.echo(
        f"indexed {report.passages:,} passages from {report.documents:,} documents into {out} "
        f"in {report.seconds:.1f} s"
    )
    for family, count in info.sources.items():
        click.echo(f"  {family}: {count:,} passages")
    for hint in info.missing:
        click.echo(f"  not included: {hint}")
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)}:")
        for skip in report.skipped[:50]:
            click.echo(f"  {skip}")
        if len(report.skipped) > 50:
            click.echo(f"  ... and {len(report.skipped) - 50} more (`clinreason index info {out}`)")


@index.command("search")
@click.argument("index_path", metavar="INDEX")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(min=1), help="Hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option(
    "--rerank",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Re-order the best N lexical hits by MiniLM embedding similarity (0: off).",
)
def search(index_path: str, query: str, k: int, as_json: bool, rerank: int) -> None:
    """Rank passages of INDEX for QUERY (INDEX 'default': the default clinical corpus,
    built in your user cache on first use)."""
    from clinreason.tools.retrieval import Reranked

    ix: Index = open_index_arg(index_path)
    if rerank:
        ix = Reranked(ix, candidates=rerank)
    hits = ix.search(query, k)
    if as_json:
        payload = [{"rank": n, **h.model_dump(mode="json")} for n, h in enumerate(hits, 1)]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("no passage contains any word of the query")
        return
    for n, hit in enumerate(hits, start=1):
        p = hit.passage
        where = p.source + (f" § {p.section}" if p.section else "")
        refs = [f"doi:{p.doi}"] if p.doi else []
        refs += [f"pmid:{p.pmid}"] if p.pmid else []
        tail = "  " + " ".join(refs) if refs else ""
        click.echo(f"{n}. {p.id}  score {hit.score:.2f}  [{where}]{tail}")
        click.echo(f"   {p.snippet(200)}")


@index.command("info")
@click.argument("index_path", metavar="INDEX")
@click.option("--json", "as_json", is_flag=True, help="Print the index info as JSON.")
def info(index_path: str, as_json: bool) -> None:
    """What INDEX holds: passages, sources, versions, skipped inputs."""
    data = open_index_arg(index_path).info()
    if as_json:
        click.echo(data.model_dump_json(indent=2))
        return
    click.echo(f"index {data.path}: {data.passages:,} passages from {data.documents:,} documents")
    click.echo(f"  format {data.format_version}, built by clinreason {data.clinreason_version}")
    click.echo(f"  engine {data.engine}")
    click.echo(f"  tokenizer {data.tokenizer}")
    click.echo(f"  inputs: {', '.join(data.inputs) or '-'}")
    for family, count in data.sources.items():
        click.echo(f"  {family}: {count:,} passages")
    for name, version in data.corpus_versions.items():
        click.echo(f"  {name}: {version}")
    for hint in data.missing:
        click.echo(f"  not included: {hint}")
    click.echo(f"  passages sha256 {data.passages_sha256}")
    if data.skipped:
        click.echo(f"  skipped {len(data.skipped)}:")
        for skip in data.skipped:
            click.echo(f"    {skip}")
