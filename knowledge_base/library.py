"""The valid articles as readers browse them: by language, by section, with each article's
versions in the other languages (its `translation_of` links, both ways).

`ArticleLibrary.current()` re-reads the folder only when a file was added, removed or changed
(names, sizes and modification times), so an edited article shows at once and an unchanged
folder costs a directory listing. Used by the help center and the article pages.
"""

import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.articles import Article, load_articles

DESCRIPTION_CHARS = 155  # what search engines show of a meta description
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[#>*_`|~]+|^\s*[-+]\s+|^\s*\d+\.\s+", re.M)


@dataclass(frozen=True)
class Library:
    articles: dict[str, Article]
    # source article id -> {language: id of that language's version}, the source included
    families: dict[str, dict[str, str]]
    # article id -> its family (the same dict as in `families`)
    versions: dict[str, dict[str, str]]

    def in_language(self, language: str) -> list[Article]:
        return sorted(
            (a for a in self.articles.values() if a.lang == language),
            key=lambda a: a.title.casefold(),
        )

    def sections(self, language: str) -> list[tuple[str, list[Article]]]:
        """Articles grouped by their first tag (the article's section), larger sections first."""
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in self.in_language(language):
            groups[article.tags[0] if article.tags else ""].append(article)
        return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))

    def tagged(self, language: str, tag: str) -> list[Article]:
        return [a for a in self.in_language(language) if tag in a.tags]

    def versions_of(self, article_id: str) -> dict[str, Article]:
        """The article in each language it exists in, by language."""
        ids = self.versions.get(article_id, {})
        return {lang: self.articles[other] for lang, other in sorted(ids.items())}


def build_library(articles: Sequence[Article]) -> Library:
    by_id = {a.id: a for a in articles}
    families: dict[str, dict[str, str]] = {}  # source id -> {language: id}
    for article in articles:
        source = article.translation_of if article.translation_of in by_id else article.id
        families.setdefault(source, {})[article.lang] = article.id
    versions = {member: family for family in families.values() for member in family.values()}
    return Library(articles=by_id, families=families, versions=versions)


def description(article: Article) -> str:
    """The article's first words as plain text, at most DESCRIPTION_CHARS, cut at a word."""
    text = " ".join(_MARKUP.sub(r"\1", article.body).split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return f"{cut}…"


class ArticleLibrary:
    def __init__(self, articles_dir: Path) -> None:
        self._dir = articles_dir
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._library = Library({}, {}, {})

    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        stamp = []
        for path in sorted(self._dir.rglob("*.md")):
            try:
                stat = path.stat()
            except OSError:  # removed while listing: the next call sees it gone
                continue
            stamp.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(stamp)

    def current(self) -> Library:
        """The valid articles as they are on disk now; invalid ones are left out."""
        with self._lock:
            stamp = self._fingerprint()
            if stamp != self._stamp:
                articles, _problems = load_articles(self._dir)
                self._library = build_library(articles)
                self._stamp = stamp
            return self._library
