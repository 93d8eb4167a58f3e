"""How the knowledge base's choices were made, measured on the development half of the answer
questions (bench/data/answers_dev.csv): the embedding model of each language, each step of
the lexicon (lexicon.py), how a follow-up's context is used, and whether a Hungarian question
can be answered from an English article. Every configuration is calibrated on the same
questions (in-sample: these figures compare options; the test half reports the chosen one,
see "Answers through the real bot").

    .venv/bin/python -m bench.kb_quality [--articles DIR]
"""

import argparse
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.report import write_section
from knowledge_base.articles import Article, load_articles
from knowledge_base.calibration import search_config
from knowledge_base.embedding import Embedder
from knowledge_base.evaluation import Query, Run, by_language, calibrate, read_queries, run_queries
from knowledge_base.index import IndexOptions, build_index
from knowledge_base.index_store import LEXICON_STEPS, LoadedIndex, load_index
from knowledge_base.models import E5_SMALL, MINILM, language_embedders
from knowledge_base.search import HybridSearcher, SearchConfig
from knowledge_base.settings import ROOT, KBSettings

DEV = ROOT / "bench" / "data" / "answers_dev.csv"


def build(
    articles: Sequence[Article], embedders: dict[str, Embedder], options: IndexOptions
) -> LoadedIndex:
    folder = Path(tempfile.mkdtemp(prefix="kb-quality-"))
    build_index(articles=articles, embedders=embedders, index_dir=folder, options=options)
    return load_index(folder, embedders)


def runs_of(
    index: LoadedIndex,
    embedders: dict[str, Embedder],
    config: SearchConfig,
    queries: Sequence[Query],
) -> list[Run]:
    searcher = HybridSearcher(index=index, embedders=embedders, config=config)
    return run_queries(searcher, queries, fallback=False)


def row(label: str, runs: Sequence[Run]) -> str:
    """One table row per language: ranking, then the outcomes at the calibrated decision."""
    cells = []
    for language, mine in by_language(runs).items():
        _, s = calibrate(mine)
        cells.append(
            f"| {label} | {language} | {s.recall_at_1:.3f} | {s.recall_at_3:.3f} | "
            f"{s.answered_correctly:.1%} | {s.choices_right:.1%} | {s.wrong:.1%} | "
            f"{s.out_of_scope_declined:.1%} |"
        )
    return "\n".join(cells)


HEADER = (
    "| configuration | lang | R@1 | R@3 | right | choices | wrong | out-of-scope declined |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|"
)


def models(articles: Sequence[Article], dev: list[Query], base: KBSettings) -> str:
    lines = [HEADER]
    for name in (MINILM, E5_SMALL):
        settings = base.model_copy(update={"model_en": name, "model_hu": name})
        embedders = language_embedders(settings)
        index = build(articles, embedders, IndexOptions.from_settings(settings))
        config = search_config(settings, embedders)
        for leg, weights in (("dense", (1.0, 0.0)), ("dense + lexical", (0.6, 0.4))):
            legged = replace(config, dense_weight=weights[0], lexical_weight=weights[1])
            lines.append(row(f"{name}, {leg}", runs_of(index, embedders, legged, dev)))
    return "\n".join(lines)


def lexicon_steps(articles: Sequence[Article], dev: list[Query], settings: KBSettings) -> str:
    embedders = language_embedders(settings)
    config = search_config(settings, embedders)
    lines = [HEADER]
    steps: list[frozenset[str]] = [
        frozenset(),
        frozenset({"restore"}),
        frozenset({"restore", "typos"}),
        LEXICON_STEPS,
    ]
    for chosen in steps:
        options = replace(IndexOptions.from_settings(settings), lexicon_steps=chosen)
        index = build(articles, embedders, options)
        name = " + ".join(sorted(chosen, key=["restore", "typos", "compounds"].index)) or "none"
        lexical = replace(config, dense_weight=0.0, lexical_weight=1.0)
        lines.append(row(f"{name}: lexical leg", runs_of(index, embedders, lexical, dev)))
        lines.append(row(f"{name}: fused", runs_of(index, embedders, config, dev)))
    return "\n".join(lines)


def context(articles: Sequence[Article], dev: list[Query], settings: KBSettings) -> str:
    """Top-1 of follow-ups (their context decides) and of questions asked after an unrelated
    one (the rows whose question also stands alone in the set)."""
    embedders = language_embedders(settings)
    config = search_config(settings, embedders)
    index = build(articles, embedders, IndexOptions.from_settings(settings))
    alone = {(q.lang, q.text) for q in dev if not q.context and q.gold_ids}
    after_other = [q for q in dev if q.context and (q.lang, q.text) in alone]
    follow_ups = [q for q in dev if q.context and (q.lang, q.text) not in alone]
    variants: list[tuple[str, SearchConfig, bool]] = [
        ("one text: context + question (before)", config, True),
        *[(f"question + {w:g} × context", replace(config, context_weight=w), False)
          for w in (0.0, 0.3, 0.5, 0.7, 1.0)],
    ]  # fmt: skip
    lines = [
        "| how the context is used | lang | follow-ups right at top 1 | after an unrelated "
        "question right at top 1 |",
        "|---|---|---:|---:|",
    ]
    for label, variant, joined in variants:
        searcher = HybridSearcher(index=index, embedders=embedders, config=variant)
        for language in sorted({q.lang for q in dev}):
            rates = []
            for group in (follow_ups, after_other):
                mine = [q for q in group if q.lang == language]
                hits = 0
                for q in mine:
                    if joined:
                        result = searcher.search(
                            f"{q.context} {q.text}", language=language, allow_fallback=False
                        )
                    else:
                        result = searcher.search(
                            q.text, language=language, context=[q.context], allow_fallback=False
                        )
                    hits += bool(result.hits) and result.hits[0].article_id in q.gold_ids
                rates.append(f"{hits / max(len(mine), 1):.1%} of {len(mine)}")
            lines.append(f"| {label} | {language} | {rates[0]} | {rates[1]} |")
    return "\n".join(lines)


def cross_language(articles: Sequence[Article], dev: list[Query], settings: KBSettings) -> str:
    """Hungarian questions against the English articles only (gold: the English version)."""
    english = [a for a in articles if a.lang == "en"]
    questions = [
        replace(q, gold_ids=frozenset(g.removeprefix("hu-") for g in q.gold_ids))
        for q in dev
        if q.lang == "hu"
    ]
    embedders = language_embedders(settings)
    config = search_config(settings, embedders)
    lines = [HEADER]
    for cross in (False, True):
        options = replace(IndexOptions.from_settings(settings), cross_language=cross)
        index = build(english, embedders, options)
        searcher = HybridSearcher(index=index, embedders=embedders, config=config)
        runs = run_queries(searcher, questions)  # the fallback is what is measured
        label = "e5 (KB_CROSS_LANGUAGE=true)" if cross else "MiniLM (the English model)"
        lines.append(row(label, runs).replace("| hu |", "| hu → en |"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=Path, help="Articles to use (default: the repo's).")
    args = parser.parse_args()
    settings = KBSettings(calibration_file=Path("/nonexistent"))
    articles, _ = load_articles(args.articles or settings.articles_dir)
    dev = read_queries(DEV)
    suffix = f" --articles {args.articles}" if args.articles else ""
    command = f"make bench (.venv/bin/python -m bench.kb_quality{suffix})"
    note = (
        f"{len(dev)} development questions ({DEV.relative_to(ROOT)}), each configuration "
        "calibrated on them (per language: threshold, agreed threshold, choice margin, lead "
        "weight). Right / choices / wrong are shares of the answerable questions."
    )
    sections = {
        "embedding models per language": models(articles, dev, settings),
        "lexicon steps": lexicon_steps(articles, dev, settings),
        "follow-ups and changes of subject": context(articles, dev, settings),
        "Hungarian questions, English articles": cross_language(articles, dev, settings),
    }
    for title, table in sections.items():
        print(f"## {title}\n\n{table}\n")
        if not args.articles:
            write_section(f"Knowledge base: {title}", command, f"{note}\n\n{table}")


if __name__ == "__main__":
    main()
