"""Knowledge-base speed: full build throughput and search latency on a 10,000-chunk index,
and how long after an article edit the running knowledge base answers from the new text.

The 10,000 chunks are public customer-support texts from ../shared/data (Bitext responses,
then Banking77 questions), read from there, never copied into the repo.

    .venv/bin/python -m bench.kb_speed
"""

import csv
import shutil
import tempfile
import time
from pathlib import Path

from bench.report import percentile, write_section
from knowledge_base.articles import load_articles
from knowledge_base.embedding import SentenceTransformerEmbedder, resolve_precision
from knowledge_base.evaluation import csv_chunks, read_kb_csv, read_queries
from knowledge_base.index import build_index, load_index
from knowledge_base.search import HybridSearcher, SearchConfig
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import ROOT, KBSettings

DATA = ROOT.parent / "shared" / "data"
CHUNKS = 10_000


def write_kb(path: Path) -> None:
    rows: list[tuple[str, str]] = []
    with (
        DATA / "bitext_customer_support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    ).open(newline="", encoding="utf-8") as handle:
        rows += [(r["intent"], r["response"]) for r in csv.DictReader(handle)]
    with (DATA / "banking77" / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows += [(r["category"], r["text"]) for r in csv.DictReader(handle)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text"])
        for n, (topic, text) in enumerate(rows[:CHUNKS]):
            writer.writerow([f"doc-{n}", topic.replace("_", " "), text])


def main() -> None:
    settings = KBSettings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    embedder.embed(["load the model before timing"])
    queries = read_queries(ROOT / "bench" / "data" / "sample_kb_test.csv")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_kb(work / "kb.csv")
        articles = read_kb_csv(work / "kb.csv")
        started = time.perf_counter()
        report = build_index(
            articles=articles,
            embedder=embedder,
            index_dir=work / "index",
            chunker=csv_chunks,
            full=True,
        )
        build_s = time.perf_counter() - started
        words = sum(len(c.text.split()) for a in articles for c in csv_chunks(a))
        words /= report.chunk_count
        searcher = HybridSearcher(
            index=load_index(work / "index", embedder), embedder=embedder, config=SearchConfig()
        )
        latencies = []
        for query in queries * 2:
            started = time.perf_counter()
            searcher.search(query.text, language="en")
            latencies.append((time.perf_counter() - started) * 1000)

        articles_dir = work / "articles"
        shutil.copytree(ROOT / "knowledge_base" / "articles", articles_dir)
        settings = KBSettings(
            articles_dir=articles_dir,
            index_dir=work / "kb-index",
            embed_precision=settings.embed_precision,
        )
        build_index(
            articles=load_articles(articles_dir)[0], embedder=embedder, index_dir=settings.index_dir
        )
        kb = KnowledgeBase(settings, embedder=embedder)
        kb.search("warm", language="en")
        path = articles_dir / "en" / "warranty-claim.md"
        path.write_text(path.read_text() + "\n## Loan devices\n\nWe lend you a loan kettle.\n")
        edited = time.perf_counter()
        build_index(
            articles=load_articles(articles_dir)[0], embedder=embedder, index_dir=settings.index_dir
        )
        while (
            "loan kettle"
            not in kb.search("do you lend a loan kettle", language="en").hits[0].chunk.text
        ):
            time.sleep(0.05)
        edit_s = time.perf_counter() - edited

    body = (
        f"| measure | value | target |\n|---|---:|---:|\n"
        f"| full build of {report.chunk_count:,} chunks | {build_s:.1f} s = "
        f"{report.chunk_count / build_s:.0f} chunks/s | ≥ 150 chunks/s |\n"
        f"| search p50 on {report.chunk_count:,} chunks (embedding included) | "
        f"{percentile(latencies, 50):.1f} ms | |\n"
        f"| search p95 on {report.chunk_count:,} chunks (embedding included) | "
        f"{percentile(latencies, 95):.1f} ms | ≤ 25 ms |\n"
        f"| article edited → running knowledge base answers from the new text "
        f"(incremental build + reload) | {edit_s:.1f} s | ≤ 5 s |\n\n"
        f"Model precision {resolve_precision(settings.embed_precision)} "
        f"(`KB_EMBED_PRECISION={settings.embed_precision}`). The chunks are public support "
        f"texts of {words:.0f} words on average (Bitext answers, then Banking77 questions). "
        f"Search latency over {len(latencies)} searches (the sample question set, twice) on "
        f"a flat FAISS index; the edit is measured in process with the default reload "
        f"interval ({settings.reload_interval_s:g} s)."
    )
    print(body)
    write_section("Knowledge base speed", "make bench (.venv/bin/python -m bench.kb_speed)", body)


if __name__ == "__main__":
    main()
