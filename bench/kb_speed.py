"""Knowledge-base speed per language: full build throughput, search latency on a
10,000-chunk index (embedding included), and how long after an article edit the running
knowledge base answers from the new text.

English (MiniLM): 10,000 public customer-support texts from ../shared/data (Bitext responses,
then Banking77 questions), built in full. Hungarian (multilingual-e5-small): no Hungarian
support corpus of that size is public, so the build throughput is measured on the 270
Hungarian article chunks plus Tatoeba's 1,000 Hungarian sentences, and the 10,000-chunk
index for search repeats those texts (search time depends on the number of chunks, not on
their wording; repeats are embedded once). Data is read from ../shared/data, never copied.

    .venv/bin/python -m bench.kb_speed
"""

import csv
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from bench.report import percentile, write_section
from knowledge_base.articles import Article, load_articles
from knowledge_base.chunking import chunk_article
from knowledge_base.embedding import Embedder, resolve_precision
from knowledge_base.evaluation import csv_chunks, read_kb_csv, read_queries
from knowledge_base.index import build_index
from knowledge_base.index_store import load_index
from knowledge_base.models import describe, language_embedders
from knowledge_base.search import HybridSearcher, SearchConfig
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import ROOT, KBSettings

DATA = ROOT.parent / "shared" / "data"
CHUNKS = 10_000


class EmbedOnce:
    """An embedder that embeds each distinct text once (the repeated Hungarian chunks)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.name, self.query_prefix = inner.name, inner.query_prefix
        self.passage_prefix = inner.passage_prefix
        self._seen: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        new = sorted({t for t in texts if t not in self._seen})
        if new:
            self._seen.update(zip(new, self._inner.embed_passages(new), strict=True))
        return np.stack([self._seen[t] for t in texts])


def english_kb(path: Path) -> list[Article]:
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
    return read_kb_csv(path)


def hungarian_texts() -> list[tuple[str, str]]:
    """(title, text): the Hungarian article chunks, then Tatoeba's Hungarian sentences."""
    articles, _ = load_articles(ROOT / "knowledge_base" / "articles")
    texts = [
        (chunk.title, chunk.text)
        for article in articles
        if article.lang == "hu"
        for chunk in chunk_article(article)
    ]
    sentences = (DATA / "tatoeba_hun_eng" / "tatoeba.hun-eng.hun").read_text("utf-8").splitlines()
    return texts + [("Tatoeba", s) for s in sentences if s.strip()]


def hungarian_kb(texts: Sequence[tuple[str, str]], count: int) -> list[Article]:
    """`count` one-chunk articles over `texts`, repeated as often as needed."""
    return [
        Article(
            id=f"hu-doc-{n}",
            title=texts[n % len(texts)][0],
            lang="hu",
            tags=(),
            url=f"/kb/hu-doc-{n}",
            updated=date(2026, 1, 1),
            questions=(),
            body=texts[n % len(texts)][1],
            path=Path("hu.csv"),
            body_line=1,
            content_hash=f"{n}",
        )
        for n in range(count)
    ]


@dataclass(frozen=True)
class LanguageSpeed:
    language: str
    built: int
    build_s: float
    words: float
    chunks: int
    latencies: list[float]


def timed_build(articles: list[Article], embedders: dict[str, Embedder], folder: Path) -> float:
    started = time.perf_counter()
    build_index(
        articles=articles, embedders=embedders, index_dir=folder, chunker=csv_chunks, full=True
    )
    return time.perf_counter() - started


def search_latencies(
    folder: Path, embedders: dict[str, Embedder], questions: list[str], language: str
) -> list[float]:
    searcher = HybridSearcher(
        index=load_index(folder, embedders), embedders=embedders, config=SearchConfig()
    )
    latencies = []
    for question in questions * 2:
        started = time.perf_counter()
        searcher.search(question, language=language, allow_fallback=False)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def measure(work: Path, embedders: dict[str, Embedder]) -> list[LanguageSpeed]:
    dev = read_queries(ROOT / "bench" / "data" / "answers_dev.csv")
    results = []
    english = english_kb(work / "kb.csv")
    build_s = timed_build(english, embedders, work / "en")
    results.append(
        LanguageSpeed(
            "en",
            len(english),
            build_s,
            sum(len(a.body.split()) for a in english) / len(english),
            len(english),
            search_latencies(work / "en", embedders, [q.text for q in dev if q.lang == "en"], "en"),
        )
    )
    texts = hungarian_texts()
    unique = hungarian_kb(texts, len(texts))
    tiled = {**embedders, "hu": EmbedOnce(embedders["hu"])}
    build_s = timed_build(unique, tiled, work / "hu-unique")  # every text is new here
    timed_build(hungarian_kb(texts, CHUNKS), tiled, work / "hu")
    results.append(
        LanguageSpeed(
            "hu",
            len(unique),
            build_s,
            sum(len(a.body.split()) for a in unique) / len(unique),
            CHUNKS,
            search_latencies(work / "hu", tiled, [q.text for q in dev if q.lang == "hu"], "hu"),
        )
    )
    return results


def edit_to_answer(work: Path, embedders: dict[str, Embedder], settings: KBSettings) -> float:
    articles_dir = work / "articles"
    shutil.copytree(ROOT / "knowledge_base" / "articles", articles_dir)
    settings = KBSettings(
        articles_dir=articles_dir,
        index_dir=work / "kb-index",
        embed_precision=settings.embed_precision,
    )
    build_index(
        articles=load_articles(articles_dir)[0], embedders=embedders, index_dir=settings.index_dir
    )
    kb = KnowledgeBase(settings, embedders=embedders)
    kb.search("warm", language="hu")
    path = articles_dir / "hu" / "hu-warranty-claim.md"
    path.write_text(
        path.read_text() + "\n## Csereeszköz\n\nA javítás idejére kölcsön vízforralót adunk.\n"
    )
    edited = time.perf_counter()
    build_index(
        articles=load_articles(articles_dir)[0], embedders=embedders, index_dir=settings.index_dir
    )
    question = "adtok kölcsön vízforralót a javítás idejére?"
    while "kölcsön vízforralót" not in kb.search(question, language="hu").hits[0].chunk.text:
        time.sleep(0.05)
    return time.perf_counter() - edited


def main() -> None:
    settings = KBSettings().for_bulk()  # as `supportbot kb index` builds
    embedders = language_embedders(settings)
    for embedder in embedders.values():
        embedder.embed_queries(["load the model before timing"])
    with tempfile.TemporaryDirectory() as tmp:
        speeds = measure(Path(tmp), embedders)
        edit_s = edit_to_answer(Path(tmp), embedders, settings)
    models = describe(embedders)
    lines = [
        "| language | model | full build | search p50 | search p95 | chunks searched |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for s in speeds:
        lines.append(
            f"| {s.language} | {models[s.language]} | {s.built:,} chunks of {s.words:.0f} words "
            f"in {s.build_s:.1f} s = **{s.built / s.build_s:.0f} chunks/s** | "
            f"{percentile(s.latencies, 50):.1f} ms | **{percentile(s.latencies, 95):.1f} ms** | "
            f"{s.chunks:,} |"
        )
    body = (
        "\n".join(lines)
        + f"\n\nTargets: full build ≥ 150 chunks/s, search p95 ≤ 25 ms per language on "
        f"10,000 chunks (embedding included). An article edited → the running knowledge base "
        f"answers from the new text (incremental build + reload, Hungarian article): "
        f"**{edit_s:.1f} s** (target ≤ 5 s). MiniLM precision "
        f"{resolve_precision(settings.embed_precision)} (`KB_EMBED_PRECISION="
        f"{settings.embed_precision}`) on {settings.torch_threads} thread(s) (the build's "
        "default; questions are answered on `KB_TORCH_THREADS`, default 1); the e5 engine "
        f"runs on {settings.e5_threads} thread(s) (`KB_E5_THREADS`). English chunks: Bitext "
        "answers, then Banking77 questions. "
        "Hungarian chunks: the article chunks and Tatoeba's sentences, built once in full for "
        "the throughput and repeated to 10,000 for the search. Search latency over the "
        "development questions of the language, twice each, on a flat FAISS index."
    )
    print(body)
    write_section("Knowledge base speed", "make bench (.venv/bin/python -m bench.kb_speed)", body)


if __name__ == "__main__":
    main()
