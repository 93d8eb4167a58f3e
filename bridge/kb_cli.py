"""`supportbot kb index | seed | import | export`: the article commands that use the database,
where published articles live (the studio's article store). `kb validate`, `kb search` and
`kb stats` are the knowledge_base package's own."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services import article_files
from bridge.services.article_store import ArticleStore
from bridge.settings import get_settings
from knowledge_base.articles import Article
from knowledge_base.cli import index_articles
from knowledge_base.settings import get_kb_settings

console = Console()
T = TypeVar("T")
Folder = Annotated[
    Path | None, typer.Argument(help="The Markdown folder; default: KB_ARTICLES_DIR.")
]


def _with_store(work: Callable[[ArticleStore], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(get_settings().database_url)
        try:
            return await work(ArticleStore(create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def seed(folder: Folder = None) -> None:
    """Publish the Markdown files when the database holds no article yet (a new install)."""
    directory = folder or get_kb_settings().articles_dir
    added = _with_store(lambda store: article_files.seed(store, directory))
    console.print(f"{added} articles published from {directory}" if added else "nothing to seed")


def index(
    full: Annotated[bool, typer.Option("--full", help="Re-embed every article.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (after indexing) when any article is invalid.")
    ] = False,
) -> None:
    """Index the published articles (the database's; the Markdown files seed an empty one).

    Only changed articles are embedded; nothing is done when the index is current.
    """
    directory = get_kb_settings().articles_dir

    async def published(store: ArticleStore) -> list[Article]:
        await article_files.seed(store, directory)
        return (await store.published())[1]

    articles = _with_store(published)
    index_articles(articles, [], full=full, strict=strict)


def import_files(
    folder: Folder = None,
    author: Annotated[str, typer.Option(help="Who the revisions name.")] = "cli",
) -> None:
    """Publish the files that differ from what is published (each a revision: the text it
    replaces can be restored in the studio); files with problems change nothing. The running
    bridges index them within KB_SYNC_INTERVAL_S."""
    directory = folder or get_kb_settings().articles_dir
    if not directory.is_dir():
        console.print(f"[red]{directory} is not a folder[/red]")
        raise typer.Exit(1)
    report = _with_store(lambda store: article_files.import_files(store, directory, author=author))
    for problem in report.problems:
        console.print(f"[red]✗[/red] {problem}")
    console.print(
        f"{len(report.added)} added, {len(report.changed)} changed, {report.unchanged} unchanged"
        + (f", {len(report.problems)} with problems" if report.problems else "")
    )
    if report.problems:
        raise typer.Exit(1)


def export(
    folder: Annotated[Path, typer.Argument(help="Where to write <lang>/<id>.md files.")],
) -> None:
    """Write every published article as a Markdown file, byte for byte as stored."""
    written = _with_store(lambda store: article_files.export(store, folder))
    console.print(f"{written} articles written to {folder}")


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
    app.command("index")(index)
    app.command("import")(import_files)
    app.command("export")(export)
