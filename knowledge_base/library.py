"""The valid articles as readers browse them: by language, by section, with each article's
versions in the other languages (its `translation_of` links, both ways). The article store
builds one of the published articles (the help center, the article pages) and one of every
article (the studio's list).
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.articles import Article

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
