"""Articles: Markdown files with YAML front matter, loaded and validated.

Every problem names the file, the line and the reason, so a writer can fix it; a file with a
problem is left out of the index instead of breaking it.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.text import LANGUAGES

MAX_FILE_BYTES = 256 * 1024
REQUIRED = ("id", "title", "lang", "tags", "url", "updated")
OPTIONAL = ("questions", "translation_of")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # an article id: its URL slug and file name


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    lang: str
    tags: tuple[str, ...]
    url: str
    updated: date
    questions: tuple[str, ...]
    body: str
    path: Path
    body_line: int  # line number of the body's first line in the file
    content_hash: str
    # The id of the article this one translates (the source, in another language): links the
    # two for the help center's language switch and hreflang, and for writers' "translation
    # missing" list.
    translation_of: str | None = None
    text: str = ""  # the whole Markdown as stored, front matter included


@dataclass(frozen=True)
class ArticleProblem:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class ArticleError(Exception):
    def __init__(self, problem: ArticleProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _fail(path: Path, line: int, reason: str) -> ArticleError:
    return ArticleError(ArticleProblem(path, line, reason))


def _key_line(lines: list[str], key: str) -> int:
    """1-based file line of `key:` in the front matter (which starts on line 2)."""
    for number, line in enumerate(lines, start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, line, "not UTF-8 text (save the file as UTF-8)") from exc


def _split(path: Path, text: str) -> tuple[list[str], list[str], int]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _fail(path, 1, "missing front matter: the file must start with a '---' line")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return lines[1:end], lines[end + 1 :], end + 2
    raise _fail(path, 1, "front matter is not closed by a second '---' line")


def _string_list(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return tuple(v.strip() for v in value)


def _check_fields(path: Path, meta: dict[str, Any], lines: list[str]) -> None:
    for key in meta:
        if key not in REQUIRED + OPTIONAL:
            raise _fail(path, _key_line(lines, str(key)), f"unknown field {key!r}")
    for key in REQUIRED:
        if meta.get(key) in (None, ""):
            raise _fail(path, 1, f"missing required field {key!r}")
    if not isinstance(meta["id"], str) or not ID_PATTERN.fullmatch(meta["id"]):
        raise _fail(path, _key_line(lines, "id"), "id must be a lowercase slug (a-z, 0-9, '-')")
    if meta["id"] != path.stem:
        raise _fail(path, _key_line(lines, "id"), f"id {meta['id']!r} must match the file name")
    if meta["lang"] not in LANGUAGES:
        raise _fail(path, _key_line(lines, "lang"), f"unknown lang {meta['lang']!r} (use en or hu)")
    if not isinstance(meta["title"], str) or len(meta["title"]) > 200:
        raise _fail(path, _key_line(lines, "title"), "title must be text of at most 200 chars")
    if _string_list(meta["tags"]) is None:
        raise _fail(path, _key_line(lines, "tags"), "tags must be a list of words")
    url = meta["url"]
    if not isinstance(url, str) or not url.startswith(("/", "https://", "http://")):
        raise _fail(path, _key_line(lines, "url"), "url must start with / or http(s)://")
    if not isinstance(meta["updated"], date):
        raise _fail(path, _key_line(lines, "updated"), "updated must be a date (YYYY-MM-DD)")
    if "questions" in meta and _string_list(meta["questions"]) is None:
        raise _fail(path, _key_line(lines, "questions"), "questions must be a list of texts")
    source = meta.get("translation_of")
    if source is not None and (not isinstance(source, str) or not ID_PATTERN.fullmatch(source)):
        raise _fail(
            path, _key_line(lines, "translation_of"), "translation_of must be an article id"
        )
    if source == meta["id"]:
        raise _fail(path, _key_line(lines, "translation_of"), "an article cannot translate itself")


def parse_article(path: Path) -> Article:
    """Read and validate one article; raises ArticleError."""
    return parse_article_bytes(path.read_bytes(), path)


def parse_article_bytes(raw: bytes, path: Path) -> Article:
    """Validate one article's Markdown (front matter and body); `path` names it in problems
    and its stem must be the id (`<lang>/<id>.md` for an article kept in the database)."""
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(path, 1, f"file too big ({len(raw)} bytes; the limit is {MAX_FILE_BYTES})")
    text = _decode(path, raw)
    front, body_lines, body_line = _split(path, text)
    try:
        meta = yaml.safe_load("\n".join(front))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise _fail(path, line, f"front matter is not valid YAML: {problem}") from exc
    if not isinstance(meta, dict):
        raise _fail(path, 2, "front matter must be a set of 'field: value' lines")
    _check_fields(path, meta, front)
    body = "\n".join(body_lines).strip()
    if not body:
        raise _fail(path, body_line, "the article has no text after the front matter")
    return Article(
        id=meta["id"],
        title=meta["title"].strip(),
        lang=meta["lang"],
        tags=_string_list(meta["tags"]) or (),
        url=meta["url"],
        updated=meta["updated"],
        questions=_string_list(meta.get("questions") or []) or (),
        body=body,
        path=path,
        body_line=body_line,
        content_hash=hashlib.sha256(raw).hexdigest(),
        text=text,
        translation_of=meta.get("translation_of"),
    )


def load_articles(directory: Path) -> tuple[list[Article], list[ArticleProblem]]:
    """Every valid article under `directory` (recursively), and the problems of the rest."""
    articles, problems = read_articles(directory)
    valid, broken = check_links(articles)
    return valid, problems + broken


def read_articles(directory: Path) -> tuple[list[Article], list[ArticleProblem]]:
    """Every article under `directory` that is valid on its own (its links to other articles
    not checked yet: see check_links), and the problems of the rest."""
    if not directory.is_dir():
        raise FileNotFoundError(f"articles folder {directory} does not exist")
    articles: list[Article] = []
    problems: list[ArticleProblem] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.md")):
        try:
            article = parse_article(path)
        except ArticleError as exc:
            problems.append(exc.problem)
            continue
        except OSError as exc:
            problems.append(ArticleProblem(path, 1, f"cannot read the file: {exc.strerror}"))
            continue
        if article.id in seen:
            line = _key_line(path.read_text(encoding="utf-8").splitlines()[1:], "id")
            problems.append(
                ArticleProblem(
                    path, line, f"duplicate id {article.id!r} (also in {seen[article.id]})"
                )
            )
            continue
        seen[article.id] = path
        articles.append(article)
    return articles, problems


def check_links(articles: Sequence[Article]) -> tuple[list[Article], list[ArticleProblem]]:
    """The articles whose links hold together as one published set (translation links, one
    article per url), and the problems of the others."""
    broken = _translation_problems(articles)
    owner: dict[str, str] = {}
    for article in articles:
        if article.id in broken:
            continue
        if article.url in owner:
            broken[article.id] = ArticleProblem(
                article.path,
                _key_line(_front_lines(article), "url"),
                f"url {article.url!r} is also the url of {owner[article.url]!r}",
            )
        else:
            owner[article.url] = article.id
    return [a for a in articles if a.id not in broken], list(broken.values())


def _front_lines(article: Article) -> list[str]:
    return article.text.splitlines()[1:]


def _translation_problems(articles: Sequence[Article]) -> dict[str, ArticleProblem]:
    """Translation links that point nowhere, to the same language, to another translation,
    or to a source that already has a translation in this language: by the linking article."""
    by_id = {a.id: a for a in articles}
    problems: dict[str, ArticleProblem] = {}
    taken: dict[tuple[str, str], str] = {}  # (source id, language) -> its translation
    for article in articles:
        source_id = article.translation_of
        if source_id is None:
            continue
        source = by_id.get(source_id)
        if source is None:
            reason = f"translation_of {source_id!r}: no such article"
        elif source.lang == article.lang:
            reason = f"translation_of {source_id!r} is in the same language ({article.lang})"
        elif source.translation_of is not None:
            reason = (
                f"translation_of {source_id!r} is itself a translation: link to its source "
                f"{source.translation_of!r}"
            )
        elif (source_id, article.lang) in taken:
            reason = (
                f"{source_id!r} already has a {article.lang} translation: "
                f"{taken[(source_id, article.lang)]!r}"
            )
        else:
            taken[(source_id, article.lang)] = article.id
            continue
        problems[article.id] = ArticleProblem(
            article.path, _key_line(_front_lines(article), "translation_of"), reason
        )
    return problems
