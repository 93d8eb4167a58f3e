"""Index builds (atomic, incremental, refusing other models) and hybrid search on real data."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.articles import load_articles
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.index import build_index
from knowledge_base.index_store import (
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    current_version,
    load_index,
)
from knowledge_base.search import HybridSearcher, SearchConfig
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings
from tests.conftest import shared_embedders


def searcher(index_dir: Path, **config: object) -> HybridSearcher:
    return HybridSearcher(
        index=load_index(index_dir, shared_embedders()),
        embedders=shared_embedders(),
        config=SearchConfig(**config),  # type: ignore[arg-type]
    )


def test_answers_in_the_customers_language(index_dir: Path) -> None:
    search = searcher(index_dir)
    english = search.search("I forgot my password", language="en")
    assert english.decision == "answer"
    assert english.hits[0].article_id == "password-reset" and not english.fell_back
    assert english.hits[0].chunk.kind == "content"
    hungarian = search.search("elfelejtettem a jelszavamat", language="hu")
    assert hungarian.hits[0].article_id == "hu-password-reset" and hungarian.language == "hu"
    unaccented = search.search("mikor kapom vissza a penzemet", language="hu")
    assert unaccented.hits[0].article_id == "hu-refund-timing"


def test_falls_back_to_the_other_language_and_says_so(index_dir: Path) -> None:
    result = searcher(index_dir).search("how long is delivery", language="hu")
    assert result.fell_back and result.language == "en"
    assert result.hits[0].article_id == "delivery-times"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "x" * 10_000,
        "'; DROP TABLE articles; --",
        "<script>alert(1)</script>",
        "what is the capital of Mongolia",
    ],
)
def test_unanswerable_queries_get_no_answer(index_dir: Path, query: str) -> None:
    result = searcher(index_dir, answer_threshold=0.2).search(query, language="en")
    assert result.decision == "no_answer", [(h.article_id, h.score) for h in result.hits]


def test_mixed_language_query_still_finds_the_article(index_dir: Path) -> None:
    result = searcher(index_dir).search("password reset link nem jött meg", language="hu")
    assert result.hits[0].article_id in {"hu-password-reset", "password-reset"}


def test_follow_up_uses_the_context(index_dir: Path) -> None:
    search = searcher(index_dir)
    alone = search.search("and how long does that take?", language="en")
    followed = search.search(
        "and how long does that take?", language="en", context=["I returned my kettle"]
    )
    assert alone.hits[0].article_id != "refund-timing"
    assert followed.hits[0].article_id == "refund-timing"


def test_a_new_question_is_not_pulled_back_to_the_last_topic(index_dir: Path) -> None:
    """The question leads, the context only adds a share: a customer who changes the subject
    gets the new subject's article (reading both as one text gave the old one)."""
    result = searcher(index_dir).search(
        "I forgot my password", language="en", context=["when do I get my refund?"]
    )
    assert result.hits[0].article_id == "password-reset"
    with pytest.raises(ValueError, match="context_weight"):
        SearchConfig(context_weight=1.5)


def test_close_results_become_choices(index_dir: Path) -> None:
    result = searcher(index_dir, choice_margin=1.0, answer_threshold=0.05).search(
        "delivery", language="en"
    )
    assert result.decision == "choices" and len(result.hits) > 1


def test_bad_arguments_are_refused(index_dir: Path) -> None:
    with pytest.raises(ValueError):
        searcher(index_dir).search("hi", language="en", top_k=0)
    with pytest.raises(ValueError):
        SearchConfig(candidates=0)
    with pytest.raises(ValueError):
        SearchConfig(dense_weight=0, lexical_weight=0)


def test_incremental_build_embeds_only_changed_articles(
    index_dir: Path, articles_dir: Path
) -> None:
    before = current_version(index_dir)
    path = articles_dir / "en" / "refund-timing.md"
    path.write_text(path.read_text() + "\n## Gift wrap\n\nRefunds include the gift wrap fee.\n")
    articles, _ = load_articles(articles_dir)
    report = build_index(articles=articles, embedders=shared_embedders(), index_dir=index_dir)
    changed = len(
        [c for c in load_index(index_dir).languages["en"].chunks if c.article_id == "refund-timing"]
    )
    assert report.embedded == changed and report.reused == report.chunk_count - changed
    assert current_version(index_dir) != before
    hit = searcher(index_dir).search("is the gift wrap fee refunded", language="en").hits[0]
    assert "gift wrap" in hit.chunk.text


def test_a_failed_build_leaves_the_current_index(index_dir: Path) -> None:
    before = current_version(index_dir)
    with pytest.raises(ValueError):
        build_index(articles=[], embedders=shared_embedders(), index_dir=index_dir)
    assert current_version(index_dir) == before
    assert not list(index_dir.glob(".building-*"))


def test_missing_half_written_and_foreign_indexes_are_refused(
    tmp_path: Path, index_dir: Path
) -> None:
    with pytest.raises(IndexMissing, match="supportbot kb index"):
        load_index(tmp_path / "nothing-here")
    broken = tmp_path / "broken"
    shutil.copytree(index_dir, broken)
    (broken / current_version(broken) / "vectors-en.npy").unlink()  # type: ignore[operator]
    with pytest.raises(IndexCorrupt, match="rebuild"):
        load_index(broken)
    foreign = tmp_path / "foreign"
    shutil.copytree(index_dir, foreign)
    manifest_path = foreign / current_version(foreign) / "manifest.json"  # type: ignore[operator]
    manifest = json.loads(manifest_path.read_text())
    manifest["languages"]["hu"]["model"] = "some/other-model"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match=r"hu part .* some/other-model"):
        load_index(foreign, shared_embedders())


def test_running_knowledge_base_picks_up_a_new_index(index_dir: Path, articles_dir: Path) -> None:
    now = [0.0]
    settings = KBSettings(articles_dir=articles_dir, index_dir=index_dir, reload_interval_s=1)
    kb = KnowledgeBase(settings, embedders=shared_embedders(), clock=lambda: now[0])
    first = kb.searcher().index.version
    path = articles_dir / "en" / "warranty-claim.md"
    path.write_text(path.read_text() + "\n## Loan devices\n\nWe lend you a loan kettle.\n")
    articles, _ = load_articles(articles_dir)
    build_index(articles=articles, embedders=shared_embedders(), index_dir=index_dir)
    assert kb.searcher().index.version == first  # checked at most once a second
    now[0] += 1.5
    assert kb.searcher().index.version != first
    assert (
        "loan kettle"
        in kb.search("do you lend a kettle during repair", language="en").hits[0].chunk.text
    )


def test_a_broken_new_index_keeps_the_old_one_serving(index_dir: Path, articles_dir: Path) -> None:
    now = [0.0]
    settings = KBSettings(articles_dir=articles_dir, index_dir=index_dir, reload_interval_s=1)
    kb = KnowledgeBase(settings, embedders=shared_embedders(), clock=lambda: now[0])
    first = kb.searcher().index.version
    (index_dir / "CURRENT").write_text("v-does-not-exist")
    now[0] += 2
    assert kb.searcher().index.version == first
    assert kb.search("I forgot my password", language="en").decision == "answer"


def test_an_index_built_with_another_model_dimension_is_refused(
    index_dir: Path, tmp_path: Path
) -> None:
    embedder = SentenceTransformerEmbedder(tmp_path / "no-such-model")
    with pytest.raises(FileNotFoundError):
        load_index(index_dir, {**shared_embedders(), "en": embedder})


def test_bfloat16_embeddings_match_float32_ones_closely() -> None:
    texts = ["How do I reset my password?", "Mennyi idő alatt érkezik meg a csomagom?"]
    reduced = SentenceTransformerEmbedder(precision="bfloat16").embed_passages(texts)
    full = SentenceTransformerEmbedder(precision="float32").embed_passages(texts)
    assert reduced.dtype == full.dtype == np.float32
    assert np.allclose(np.linalg.norm(reduced, axis=1), 1.0, atol=1e-5)
    # Close enough that an index built one way serves queries embedded the other way.
    assert (reduced * full).sum(axis=1).min() > 0.99


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="precision"):
        SentenceTransformerEmbedder(precision="float8")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        KBSettings(embed_precision="float8")  # type: ignore[arg-type]


def test_an_article_matching_in_several_chunks_scores_above_its_best_chunk(
    index_dir: Path,
) -> None:
    alone = searcher(index_dir, chunk_bonus=0.0).search("I forgot my password", language="en")
    helped = searcher(index_dir, chunk_bonus=0.5).search("I forgot my password", language="en")
    assert helped.hits[0].article_id == alone.hits[0].article_id == "password-reset"
    assert helped.hits[0].score > alone.hits[0].score
    with pytest.raises(ValueError, match="chunk_bonus"):
        SearchConfig(chunk_bonus=-0.1)
