""" "Test a question" against a draft: what the bot would answer if the draft were published,
beside what it answers now.

The draft is indexed with the published articles into a throw-away index (in a temporary
folder, the unchanged articles' vectors taken from the live index, so only the draft is
embedded), searched with the bot's own search settings, and thrown away: nothing a writer
tries reaches the bot or the help center before it is published.
"""

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.articles import Article
from knowledge_base.calibration import search_config
from knowledge_base.index import IndexOptions, build_index
from knowledge_base.index_store import load_index
from knowledge_base.search import HybridSearcher, SearchResult
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings


@dataclass(frozen=True)
class DraftTrial:
    with_draft: SearchResult
    published: SearchResult


def try_draft(
    *,
    knowledge_base: KnowledgeBase,
    settings: KBSettings,
    published: Sequence[Article],
    draft: Article,
    question: str,
    language: str,
    top_k: int = 3,
) -> DraftTrial:
    """Blocking (embeds and indexes): call it from a thread. Raises KBIndexError while
    nothing is indexed."""
    now = knowledge_base.search(question, language=language, top_k=top_k)
    articles = [a for a in published if a.id != draft.id] + [draft]
    embedders = knowledge_base.embedders
    with tempfile.TemporaryDirectory(prefix="kb-draft-") as folder:
        index_dir = Path(folder)
        build_index(
            articles=articles,
            embedders=embedders,
            index_dir=index_dir,
            options=IndexOptions.from_settings(settings),
            reuse_from=settings.index_dir,
        )
        searcher = HybridSearcher(
            index=load_index(index_dir, embedders),
            embedders=embedders,
            config=search_config(settings, embedders),
        )
        with_draft = searcher.search(question, language=language, top_k=top_k)
    return DraftTrial(with_draft=with_draft, published=now)
