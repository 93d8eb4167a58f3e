"""Cut articles into chunks: one heading section at a time, paragraphs grouped into windows.

Each chunk carries the article's id, title, url and language and its heading path, and is
embedded with the title and headings in front of its text, so "How long does it take?" under
"Refunds" still knows it is about refunds. The writer's example questions become one extra
chunk per article: it matches the way customers ask, and answers with the article's intro.
"""

import re
from dataclasses import dataclass

from knowledge_base.articles import Article

_HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    article_id: str
    title: str
    url: str
    lang: str
    heading_path: tuple[str, ...]
    text: str
    kind: str = "content"  # "content" or "questions"

    def embedding_text(self) -> str:
        context = " > ".join((self.title, *self.heading_path))
        return f"{context}\n{self.text}"


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks; a list stays one block."""
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _split_long(block: str, max_words: int) -> list[str]:
    if len(block.split()) <= max_words:
        return [block]
    pieces: list[str] = []
    current: list[str] = []
    units = block.splitlines() if _LIST_ITEM.match(block) else _SENTENCE_END.split(block)
    for unit in units:
        if current and len(" ".join([*current, unit]).split()) > max_words:
            pieces.append(("\n" if _LIST_ITEM.match(block) else " ").join(current))
            current = []
        current.append(unit)
    if current:
        pieces.append(("\n" if _LIST_ITEM.match(block) else " ").join(current))
    return pieces


def _windows(blocks: list[str], max_words: int) -> list[str]:
    """Consecutive paragraphs grouped up to `max_words`; a long paragraph is split."""
    windows: list[str] = []
    current: list[str] = []
    count = 0
    for block in (piece for b in blocks for piece in _split_long(b, max_words)):
        words = len(block.split())
        if current and count + words > max_words:
            windows.append("\n\n".join(current))
            current, count = [], 0
        current.append(block)
        count += words
    if current:
        windows.append("\n\n".join(current))
    return windows


def _sections(body: str) -> list[tuple[tuple[str, ...], list[str]]]:
    sections: list[tuple[tuple[str, ...], list[str]]] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections.append((tuple(title for _, title in path), lines))
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level]
            path.append((level, heading.group(2)))
            lines = []
        else:
            lines.append(line)
    sections.append((tuple(title for _, title in path), lines))
    return [
        (heading_path, lines) for heading_path, lines in sections if any(ln.strip() for ln in lines)
    ]


def chunk_article(article: Article, *, max_words: int = 120) -> list[Chunk]:
    if max_words < 20:
        raise ValueError("max_words must be at least 20")
    chunks: list[Chunk] = []

    def add(heading_path: tuple[str, ...], text: str, kind: str = "content") -> None:
        chunks.append(
            Chunk(
                chunk_id=f"{article.id}#{len(chunks)}",
                article_id=article.id,
                title=article.title,
                url=article.url,
                lang=article.lang,
                heading_path=heading_path,
                text=text,
                kind=kind,
            )
        )

    for heading_path, lines in _sections(article.body):
        for window in _windows(_paragraphs(lines), max_words):
            add(heading_path, window)
    if article.questions:
        add((), "\n".join(article.questions), kind="questions")
    return chunks
