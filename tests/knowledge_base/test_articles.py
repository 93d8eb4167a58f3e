"""Article validation: every fault names the file, the line and the reason."""

from pathlib import Path

import pytest

from knowledge_base.articles import MAX_FILE_BYTES, load_articles, parse_article

GOOD = """---
id: {id}
title: Resetting your password
lang: en
tags: [account, password]
url: /kb/{id}
updated: 2026-10-14
questions:
  - I forgot my password
---
Use the link on the sign-in page.

## Steps

1. Open the sign-in page.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / f"{name}.md"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_good_article(tmp_path: Path) -> None:
    article = parse_article(write(tmp_path, "password-reset", GOOD.format(id="password-reset")))
    assert article.id == "password-reset"
    assert article.questions == ("I forgot my password",)
    assert article.tags == ("account", "password")
    assert article.body.startswith("Use the link") and article.body_line == 11
    assert len(article.content_hash) == 64


BAD = [
    ("no front matter", "Just text\n", 1, "missing front matter"),
    ("unclosed", "---\nid: unclosed\n", 1, "not closed"),
    ("bad-yaml", "---\nid: bad-yaml\ntitle: [unclosed\n---\nbody\n", 3, "not valid YAML"),
    ("not-a-map", "---\n- a\n- b\n---\nbody\n", 2, "field: value"),
    ("missing-title", GOOD.replace("title: Resetting your password\n", ""), 1, "'title'"),
    ("wrong-id", GOOD.format(id="other"), 2, "must match the file name"),
    ("Bad_Id", GOOD.format(id="Bad_Id"), 2, "lowercase slug"),
    ("lang", GOOD.format(id="lang").replace("lang: en", "lang: de"), 4, "unknown lang"),
    ("tags", GOOD.format(id="tags").replace("[account, password]", "7"), 5, "tags"),
    ("url", GOOD.format(id="url").replace("url: /kb/url", "url: kb/url"), 6, "url"),
    ("updated", GOOD.format(id="updated").replace("2026-10-14", "soon"), 7, "date"),
    (
        "questions",
        GOOD.format(id="questions").replace("  - I forgot my password", "  - 5"),
        8,
        "questions",
    ),
    ("typo", GOOD.format(id="typo").replace("tags:", "tag: x\ntags:"), 5, "unknown field 'tag'"),
    ("empty", GOOD.format(id="empty").split("---\nUse")[0] + "---\n\n  \n", 11, "no text"),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), BAD, ids=[b[0] for b in BAD])
def test_faults_name_file_line_and_reason(
    tmp_path: Path, name: str, text: str, line: int, reason: str
) -> None:
    write(tmp_path, name.replace(" ", "-"), text)
    articles, problems = load_articles(tmp_path)
    assert articles == []
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path.name == f"{name.replace(' ', '-')}.md"
    assert (problem.line, reason in problem.reason) == (line, True), str(problem)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    text = GOOD.format(id="latin").encode() + "árvíztűrő\n".encode("latin-1", "replace")
    write(tmp_path, "latin", text)
    _, problems = load_articles(tmp_path)
    assert problems[0].line == 16 and "UTF-8" in problems[0].reason


def test_too_big(tmp_path: Path) -> None:
    write(tmp_path, "big", GOOD.format(id="big") + "x" * MAX_FILE_BYTES)
    _, problems = load_articles(tmp_path)
    assert problems[0].line == 1 and "too big" in problems[0].reason


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "hu").mkdir()
    write(tmp_path / "en", "same", GOOD.format(id="same"))
    write(tmp_path / "hu", "same", GOOD.format(id="same").replace("lang: en", "lang: hu"))
    articles, problems = load_articles(tmp_path)
    assert [a.lang for a in articles] == ["en"]
    assert "duplicate id 'same'" in problems[0].reason and problems[0].line == 2


def _hungarian(folder: Path, name: str, link: str) -> Path:
    text = GOOD.format(id=name).replace("lang: en", f"lang: hu\ntranslation_of: {link}")
    return write(folder, name, text)


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("nowhere", "translation_of 'nowhere': no such article"),
        ("source", "'source' already has a hu translation: 'hu-first'"),
    ],
)
def test_a_broken_translation_link_is_refused(tmp_path: Path, link: str, reason: str) -> None:
    write(tmp_path, "source", GOOD.format(id="source"))
    _hungarian(tmp_path, "hu-first", "source")
    _hungarian(tmp_path, "hu-second", link)
    articles, problems = load_articles(tmp_path)
    assert sorted(a.id for a in articles) == ["hu-first", "source"]
    assert [(p.path.name, p.line) for p in problems] == [("hu-second.md", 5)]
    assert reason in problems[0].reason


def test_a_translation_of_a_translation_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "source", GOOD.format(id="source"))
    _hungarian(tmp_path, "hu-first", "source")
    write(
        tmp_path, "back", GOOD.format(id="back").replace("url:", "translation_of: hu-first\nurl:")
    )
    articles, problems = load_articles(tmp_path)
    assert sorted(a.id for a in articles) == ["hu-first", "source"]
    assert problems[0].path.name == "back.md"
    assert "'hu-first' is itself a translation: link to its source 'source'" in problems[0].reason


def test_a_translation_in_the_same_language_or_of_itself_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "source", GOOD.format(id="source"))
    same = GOOD.format(id="also-en").replace("url:", "translation_of: source\nurl:")
    write(tmp_path, "also-en", same)
    _hungarian(tmp_path, "hu-self", "hu-self")
    _hungarian(tmp_path, "hu-bad", "Not An Id")
    articles, problems = load_articles(tmp_path)
    assert [a.id for a in articles] == ["source"]
    reasons = sorted(p.reason for p in problems)
    assert reasons == [
        "an article cannot translate itself",
        "translation_of 'source' is in the same language (en)",
        "translation_of must be an article id",
    ]


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_articles(tmp_path / "nope")


def test_the_sample_knowledge_base_is_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "knowledge_base" / "articles"
    articles, problems = load_articles(root)
    assert problems == []
    languages = [a.lang for a in articles]
    assert languages.count("en") >= 40 and languages.count("hu") >= 20
    assert all(a.url == f"/kb/{a.id}" for a in articles)
    # Every Hungarian sample article links to its English source.
    by_id = {a.id: a for a in articles}
    hungarian = [a for a in articles if a.lang == "hu"]
    assert all(a.translation_of and by_id[a.translation_of].lang == "en" for a in hungarian)
