"""`supportbot kb ...`: the content writers' commands."""

import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge_base.articles import load_articles
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.evaluation import (
    best_threshold,
    csv_chunks,
    legs,
    read_kb_csv,
    read_queries,
    run_queries,
    score,
)
from knowledge_base.index import KBIndexError, build_index, load_index
from knowledge_base.search import HybridSearcher, SearchConfig
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import get_kb_settings

app = typer.Typer(help="Knowledge-base articles: validate, index, search, stats.")
console = Console()
Language = Annotated[str, typer.Option("--lang", help="Customer language: en or hu.")]


def _check_language(language: str) -> str:
    if language not in ("en", "hu"):
        raise typer.BadParameter("use en or hu", param_hint="--lang")
    return language


@app.command()
def validate() -> None:
    """Check every article; print each problem with file, line and reason."""
    settings = get_kb_settings()
    articles, problems = load_articles(settings.articles_dir)
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}")
    counts = ", ".join(
        f"{n} {lang}" for lang, n in sorted(Counter(a.lang for a in articles).items())
    )
    console.print(f"{len(articles)} valid articles ({counts}), {len(problems)} with problems")
    if problems:
        raise typer.Exit(1)


@app.command()
def index(
    full: Annotated[bool, typer.Option("--full", help="Re-embed every article.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (after indexing) when any article is invalid.")
    ] = False,
) -> None:
    """Build a new index (only changed articles are embedded) and make it current.

    Invalid articles are reported and left out; the valid ones are indexed.
    """
    settings = get_kb_settings()
    articles, problems = load_articles(settings.articles_dir)
    for problem in problems:
        console.print(f"[yellow]skipped[/yellow] {problem}")
    if not articles:
        console.print("[red]no valid articles: the current index is left as it is[/red]")
        raise typer.Exit(1)
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    with Progress(
        TextColumn("[bold]embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("embed", total=None)
        report = build_index(
            articles=articles,
            embedder=embedder,
            index_dir=settings.index_dir,
            index_type=settings.index_type,
            hnsw_min_chunks=settings.hnsw_min_chunks,
            max_chunk_words=settings.max_chunk_words,
            full=full,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(
        f"[green]index {report.version}[/green]: {report.chunk_count} chunks from "
        f"{len(articles)} articles ({report.embedded} embedded, {report.reused} reused) "
        f"in {report.seconds:.1f} s"
    )
    if problems and strict:
        raise typer.Exit(1)


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="What a customer would ask.")],
    language: Language = "en",
    top: Annotated[int, typer.Option(min=1, max=20)] = 5,
) -> None:
    """Show what the bot would find for a question, with the scores behind its decision."""
    settings = get_kb_settings()
    try:
        result = KnowledgeBase(settings).search(
            question, language=_check_language(language), top_k=top
        )
    except KBIndexError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table(title=f"{result.decision}" + (" (other language)" if result.fell_back else ""))
    for column in ("article", "title", "score", "dense", "bm25", "quoted section"):
        table.add_column(column)
    for hit in result.hits:
        table.add_row(
            hit.article_id,
            hit.title,
            f"{hit.score:.3f}",
            f"{hit.dense:.3f}",
            f"{hit.lexical:.2f}",
            " > ".join(hit.chunk.heading_path) or "(intro)",
        )
    console.print(table)
    console.print(
        f"answer threshold {settings.answer_threshold}, choice margin {settings.choice_margin}"
    )


@app.command()
def stats() -> None:
    """The current index: version, model, chunks per language and article."""
    settings = get_kb_settings()
    try:
        loaded = load_index(settings.index_dir)
    except KBIndexError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    manifest = loaded.manifest
    table = Table(title=f"index {loaded.version}", show_header=False)
    table.add_row("built", manifest.built_at)
    table.add_row("model", f"{manifest.model_name} ({manifest.dimension} dimensions)")
    table.add_row("FAISS index", manifest.index_type)
    table.add_row("articles", str(len(manifest.articles)))
    table.add_row("chunks", str(manifest.chunk_count))
    for language, part in sorted(loaded.languages.items()):
        articles = len({c.article_id for c in part.chunks})
        table.add_row(f"  {language}", f"{articles} articles, {len(part.chunks)} chunks")
    console.print(table)


bench_app = typer.Typer(help="Benchmarks.")


@bench_app.command("retrieval")
def bench_retrieval(
    queries: Annotated[Path, typer.Option(help="Queries CSV: query,gold_id[,lang,context].")],
    kb: Annotated[
        Path | None, typer.Option(help="KB CSV: id,title,text (default: the articles).")
    ] = None,
    calibrate: Annotated[
        Path | None, typer.Option(help="Development queries CSV to choose the threshold on.")
    ] = None,
    write_section: Annotated[
        str | None, typer.Option(help="Write the table into docs/benchmarks.md under this title.")
    ] = None,
) -> None:
    """R@1, R@3, MRR@10, no-answer P/R/F1 and latency for the dense leg, the lexical leg and
    the fusion, side by side, on any FAQ set."""
    settings = get_kb_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp)
        if kb is not None:
            build_index(
                articles=read_kb_csv(kb), embedder=embedder, index_dir=index_dir,
                chunker=csv_chunks, full=True,
            )  # fmt: skip
        else:
            articles, _ = load_articles(settings.articles_dir)
            build_index(articles=articles, embedder=embedder, index_dir=index_dir)
        loaded = load_index(index_dir, embedder)
    base = SearchConfig.from_settings(settings)
    rows = []
    for leg, config in legs(base).items():
        threshold = config.answer_threshold
        if calibrate is not None:
            dev_runs = run_queries(
                HybridSearcher(index=loaded, embedder=embedder, config=config),
                read_queries(calibrate),
            )
            threshold, _ = best_threshold(dev_runs)
            config = replace(config, answer_threshold=threshold)
        searcher = HybridSearcher(index=loaded, embedder=embedder, config=config)
        scores = score(run_queries(searcher, read_queries(queries)))
        rows.append((leg, threshold, scores))
    header = (
        "| leg | threshold | R@1 | R@3 | MRR@10 | no-answer P | R | F1 | p50 ms | p95 ms |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header] + [
        f"| {leg} | {t:.2f} | {s.recall_at_1:.3f} | {s.recall_at_3:.3f} | {s.mrr_at_10:.3f} | "
        f"{s.no_answer_precision:.3f} | {s.no_answer_recall:.3f} | {s.no_answer_f1:.3f} | "
        f"{s.p50_ms:.1f} | {s.p95_ms:.1f} |"
        for leg, t, s in rows
    ]
    table = "\n".join(lines)
    console.print(table)
    if write_section:
        from bench.report import write_section as write

        source = f"`{queries}`" + (f" on `{kb}`" if kb else " on the sample articles")
        write(
            write_section,
            f"supportbot bench retrieval --queries {queries}"
            + (f" --kb {kb}" if kb else "")
            + (f" --calibrate {calibrate}" if calibrate else ""),
            f"{rows[0][2].queries} queries from {source}; fusion `{base.fusion}` with weights "
            f"{base.dense_weight}/{base.lexical_weight} (dense/lexical), lexical saturation "
            f"{base.lexical_saturation}."
            + (" Thresholds chosen on the development set." if calibrate else "")
            + "\n\n"
            + table,
        )
