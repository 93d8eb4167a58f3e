"""An article as the studio's form holds it (front matter fields and the Markdown body), and
the Markdown file it is stored and exported as. `compose` writes the front matter in one
fixed order, each value quoted only where YAML needs it, so saving the same fields twice gives
the same bytes and an untouched article keeps its own."""

from dataclasses import dataclass
from datetime import date

import yaml

from knowledge_base.articles import Article


@dataclass(frozen=True)
class ArticleFields:
    id: str
    title: str
    lang: str
    tags: tuple[str, ...]
    questions: tuple[str, ...]
    body: str
    translation_of: str | None = None

    @property
    def url(self) -> str:
        return f"/kb/{self.id}"


def _scalar(value: str) -> str:
    """`value` as one line of YAML: plain when that reads back the same, else quoted."""
    value = " ".join(value.split())
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1 << 20)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def compose(fields: ArticleFields, *, updated: date) -> str:
    """The article's Markdown file: front matter, then the body."""
    lines = [
        "---",
        f"id: {_scalar(fields.id)}",
        f"title: {_scalar(fields.title.strip())}",
        f"lang: {_scalar(fields.lang)}",
        f"tags: [{', '.join(_scalar(t) for t in fields.tags)}]",
        f"url: {_scalar(fields.url)}",
    ]
    if fields.translation_of:
        lines.append(f"translation_of: {_scalar(fields.translation_of)}")
    lines.append(f"updated: {updated.isoformat()}")
    if fields.questions:
        lines.append("questions:")
        lines.extend(f"  - {_scalar(q)}" for q in fields.questions)
    lines.append("---")
    body = "\n".join(line.rstrip() for line in fields.body.strip().splitlines())
    return "\n".join(lines) + "\n" + body + "\n"


def fields_of(article: Article) -> ArticleFields:
    return ArticleFields(
        id=article.id,
        title=article.title,
        lang=article.lang,
        tags=article.tags,
        questions=article.questions,
        body=article.body,
        translation_of=article.translation_of,
    )


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if v is not None and str(v).strip())


def read_fields(text: str, *, article_id: str, language: str) -> ArticleFields:
    """The form's fields from a stored text, taking what can be read: a draft may be saved
    before it is valid, and the writer must still get it back to finish it."""
    lines = text.splitlines()
    meta: object = {}
    body_from = 0
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                try:
                    meta = yaml.safe_load("\n".join(lines[1:end])) or {}
                except yaml.YAMLError:
                    meta = {}
                body_from = end + 1
                break
    found = meta if isinstance(meta, dict) else {}
    source = found.get("translation_of")
    return ArticleFields(
        id=article_id,
        title=str(found.get("title") or ""),
        lang=language,
        tags=_texts(found.get("tags")),
        questions=_texts(found.get("questions")),
        body="\n".join(lines[body_from:]).strip(),
        translation_of=str(source) if source else None,
    )
