"""Studio speed: the article list (`/studio`) with 2,000 articles (1,000 English, each with a
Hungarian translation) and 30 days of "helpful" votes, through the bridge's ASGI app in this
process, signed in as an editor.

    .venv/bin/python -m bench.studio_speed [--articles 2000] [--votes 20000] [--no-write]
"""

import argparse
import random
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bench.report import percentile, write_section
from bridge.app import create_app
from bridge.db.migrate import upgrade
from bridge.db.models import AnswerFeedback
from knowledge_base.articles import load_articles
from knowledge_base.settings import ROOT, KBSettings
from tests import aio
from tests.conftest import make_settings
from tests.staff import add_user, sign_in

SAMPLES = ROOT / "knowledge_base" / "articles"


def write_articles(folder: Path, count: int) -> list[str]:
    """`count` articles: copies of the English samples and their Hungarian translations."""
    samples = {a.id: a for a in load_articles(SAMPLES)[0]}
    english = sorted(i for i, a in samples.items() if a.lang == "en")
    ids: list[str] = []
    for n in range(count // 2):
        source = english[n % len(english)]
        for lang, sample_id in (("en", source), ("hu", f"hu-{source}")):
            new_id = f"{sample_id}-{n}"
            text = samples[sample_id].path.read_text(encoding="utf-8")
            text = re.sub(r"^id: .*$", f"id: {new_id}", text, count=1, flags=re.M)
            text = re.sub(r"^url: .*$", f"url: /kb/{new_id}", text, count=1, flags=re.M)
            text = re.sub(
                r"^translation_of: .*$", f"translation_of: {source}-{n}", text, count=1, flags=re.M
            )
            (folder / lang).mkdir(parents=True, exist_ok=True)
            (folder / lang / f"{new_id}.md").write_text(text, encoding="utf-8")
            ids.append(new_id)
    return ids


def add_votes(database_url: str, ids: list[str], count: int) -> None:
    rng = random.Random(11)
    now = datetime.now(UTC)

    async def insert(session: AsyncSession) -> None:
        session.add_all(
            AnswerFeedback(
                conversation_id=None,
                source="help_center",
                article_id=rng.choice(ids),
                helpful=rng.random() < 0.7,
                language="en",
                created_at=now - timedelta(days=rng.uniform(0, 35)),
            )
            for _ in range(count)
        )

    aio.run_sql(database_url, insert)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--votes", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ids = write_articles(work / "articles", args.articles)
        url = f"sqlite+aiosqlite:///{work / 'bridge.db'}"
        upgrade(url)
        add_votes(url, ids, args.votes)
        add_user(url, "writer@example.com", role="editor")
        # The list only: no index is built for the 2,000 articles (KB_SYNC off).
        kb = KBSettings(
            articles_dir=work / "articles", index_dir=work / "index", sync=False, warm_up=False
        )
        settings = make_settings(url, None, gc_freeze=True)  # as the bridge runs in production
        with TestClient(create_app(settings, kb)) as client:
            headers = sign_in(client, "writer@example.com").headers(csrf=None)
            started = time.perf_counter()
            first = client.get("/studio", headers=headers)
            cold_ms = (time.perf_counter() - started) * 1000
            first.raise_for_status()
            shown = first.text.count("<tr data-family=")
            times = []
            for _ in range(20):
                started = time.perf_counter()
                client.get("/studio", headers=headers).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
    body = (
        "| articles | families shown | votes (35 days) | first request ms | p50 ms | p95 ms |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(ids)} | {shown} | {args.votes} | {cold_ms:.0f} | {percentile(times, 50):.0f} "
        f"| {percentile(times, 95):.0f} |\n\n"
        "Target: the article list with 2,000 articles and 30 days of feedback renders in "
        "≤ 300 ms. The articles live in the database (seeded from the files when the bridge "
        "starts). The first request reads and validates every article; later ones read each "
        "article's state and version and re-read only the texts whose version changed. "
        "In-process, SQLite, signed in as an editor, 20 requests after the first."
    )
    print(body)
    if not args.no_write:
        write_section("Studio speed", "make bench (.venv/bin/python -m bench.studio_speed)", body)


if __name__ == "__main__":
    main()
