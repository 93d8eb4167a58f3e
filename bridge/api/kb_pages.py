"""Knowledge-base articles as web pages (/kb/{id}): every link the bot gives opens here.

Read from the articles folder on each request, so an edited article shows at once; Markdown
is rendered with raw HTML disabled, so article text can never inject markup.
"""

import re
from functools import lru_cache

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from bridge.api.deps import ServicesDep
from bridge.api.pages import templates
from knowledge_base.articles import ArticleError, parse_article

router = APIRouter(tags=["knowledge base"])
_ARTICLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@router.get("/kb/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(article_id: str, request: Request, services: ServicesDep) -> HTMLResponse:
    if not _ARTICLE_ID.fullmatch(article_id):
        raise HTTPException(404, detail="no such article")
    articles_dir = services.kb_settings.articles_dir
    path = next(iter(sorted(articles_dir.rglob(f"{article_id}.md"))), None)
    if path is None:
        raise HTTPException(404, detail="no such article")
    try:
        article = parse_article(path)
    except ArticleError as exc:
        raise HTTPException(404, detail="no such article") from exc
    return templates.TemplateResponse(
        request,
        "kb_article.html",
        {"article": article, "body_html": _markdown().render(article.body)},
    )
