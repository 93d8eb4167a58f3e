"""The article library: sections, translation families both ways, meta descriptions."""

from pathlib import Path

from knowledge_base.articles import load_articles
from knowledge_base.library import DESCRIPTION_CHARS, build_library, description

ARTICLE = """---
id: {id}
title: {title}
lang: {lang}
tags: [{tags}]
url: /kb/{id}
updated: 2026-10-14{extra}
---
{body}
"""


def write(folder: Path, id: str, lang: str = "en", tags: str = "orders", extra: str = "",
          body: str = "Text.", title: str = "") -> Path:  # fmt: skip
    path = folder / f"{id}.md"
    text = ARTICLE.format(id=id, title=title or id, lang=lang, tags=tags, extra=extra, body=body)
    path.write_text(text, encoding="utf-8")
    return path


def test_sections_by_first_tag_larger_first_titles_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b", tags="shipping, orders", title="Beta")
    write(tmp_path, "a", tags="shipping", title="alpha")
    write(tmp_path, "c", tags="account", title="Gamma")
    write(tmp_path, "hu-x", lang="hu", tags="szállítás")
    library = build_library(load_articles(tmp_path)[0])
    sections = [(name, [a.id for a in group]) for name, group in library.sections("en")]
    assert sections == [("shipping", ["a", "b"]), ("account", ["c"])]
    assert [a.id for a in library.tagged("en", "orders")] == ["b"]


def test_versions_link_both_ways_and_only_through_valid_links(tmp_path: Path) -> None:
    write(tmp_path, "refunds")
    write(tmp_path, "hu-refunds", lang="hu", extra="\ntranslation_of: refunds")
    write(tmp_path, "alone")
    library = build_library(load_articles(tmp_path)[0])
    assert {k: a.id for k, a in library.versions_of("refunds").items()} == {
        "en": "refunds",
        "hu": "hu-refunds",
    }
    assert library.versions_of("hu-refunds") == library.versions_of("refunds")
    assert list(library.versions_of("alone")) == ["en"]
    assert library.versions_of("missing") == {}


def test_the_description_is_plain_text_cut_at_a_word(tmp_path: Path) -> None:
    body = (
        "## Heading\n\nOpen **My account** › [Orders](/kb/orders) and press `Return`. "
        + "Then wait for the courier to come by. " * 8
    )
    write(tmp_path, "desc-check", body=body)
    text = description(load_articles(tmp_path)[0][0])
    assert text.startswith("Heading Open My account › Orders and press Return. Then wait")
    assert len(text) <= DESCRIPTION_CHARS and text.endswith("…")
    assert not text[:-1].endswith(" ")
