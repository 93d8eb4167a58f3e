"""Help center speed: `/help` search (the bot's hybrid search, the page rendered) and the
article pages, through the bridge's ASGI app in this process, over the development questions
of both languages, after a warm-up.

    .venv/bin/python -m bench.help_center [--no-write]
"""

import argparse
import csv
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bench.report import percentile, write_section
from bridge.app import create_app
from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests.conftest import make_settings

QUESTIONS = Path(__file__).resolve().parent / "data" / "answers_dev.csv"


def timed(client: TestClient, path: str, params: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    with QUESTIONS.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["context"]]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bridge.db"
        upgrade(url)
        settings = make_settings(url, None, gc_freeze=True)  # as the bridge runs in production
        with TestClient(create_app(settings, KBSettings())) as client:
            for lang in ("en", "hu"):  # warm-up: models loaded, articles read
                timed(client, "/help", {"lang": lang, "q": "warm up"})
            lines = [
                "| page | language | requests | p50 ms | p95 ms |",
                "|---|---|---:|---:|---:|",
            ]
            for lang in ("en", "hu"):
                asked = [r["question"][:200] for r in rows if r["lang"] == lang]
                search = [timed(client, "/help", {"lang": lang, "q": q}) for q in asked]
                home = [timed(client, "/help", {"lang": lang}) for _ in range(50)]
                article = "password-reset" if lang == "en" else "hu-password-reset"
                pages = [timed(client, f"/kb/{article}") for _ in range(50)]
                for name, times in (("search", search), ("sections", home), ("article", pages)):
                    lines.append(
                        f"| {name} | {lang} | {len(times)} | {percentile(times, 50):.1f} | "
                        f"{percentile(times, 95):.1f} |"
                    )
    body = "\n".join(lines) + (
        "\n\nTarget: help-center search p95 ≤ 50 ms over the sample articles. Search: each "
        "development question of bench/data/answers_dev.csv without context, as a reader "
        "types it into `/help?q=`; sections: `/help`; article: one article page. In-process "
        "(no network), one request at a time, on the sample knowledge base's index."
    )
    print(body)
    if not args.no_write:
        write_section(
            "Help center speed", "make bench (.venv/bin/python -m bench.help_center)", body
        )


if __name__ == "__main__":
    main()
