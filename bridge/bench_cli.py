"""`supportbot bench answers`: what customers get from the running bot, per language."""

import asyncio
import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bridge.answer_bench import ask_all, summarise, table
from bridge.settings import get_settings
from knowledge_base.evaluation import read_queries

console = Console()


def bench_answers(
    questions: Annotated[
        Path,
        typer.Option(
            help="CSV lang,question,gold_ids[,context]: gold_ids joined by |, empty = should "
            "be declined."
        ),
    ],
    url: Annotated[
        str | None, typer.Option(help="The bridge to ask (default: PUBLIC_URL).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=50)] = 2,
    details: Annotated[
        Path | None, typer.Option(help="Write every question's outcome to this CSV.")
    ] = None,
    write_section: Annotated[
        str | None, typer.Option(help="Write the table into docs/benchmarks.md under this title.")
    ] = None,
) -> None:
    """Ask every question through the widget's websocket, as a customer would, and score the
    bot's first reply: right article, choices with the right one, wrong article, declined."""
    try:
        queries = read_queries(questions)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--questions") from exc
    base = (url or get_settings().public_url).rstrip("/")
    try:
        results = asyncio.run(ask_all(base, queries, concurrency=concurrency))
    except (OSError, TimeoutError) as exc:
        console.print(f"[red]could not ask {base}: {exc}[/red] (is `make run` running?)")
        raise typer.Exit(1) from exc
    summary = table(summarise(results))
    console.print(summary)
    if details is not None:
        with details.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["lang", "question", "context", "gold_ids", "outcome", "offered"])
            for r in results:
                gold = "|".join(sorted(r.query.gold_ids))
                row = [r.query.lang, r.query.text, r.query.context, gold, r.outcome]
                writer.writerow([*row, "|".join(r.offered)])
    if write_section:
        from bench.report import write_section as write

        write(
            write_section,
            f"supportbot bench answers --questions {questions}",
            f"{len(queries)} questions from `{questions}`, each in a new conversation over the "
            "widget's websocket (follow-ups after their context message), through the real "
            "NLU, rules, actions and knowledge base. Right / choices / wrong / declined are "
            "shares of the answerable questions; first reply is from sending the question to "
            "the bot's first message.\n\n" + summary,
        )
