"""The public help center: `/help` (sections, tags, search), every article as a page
(`/kb/{id}`, where each link the bot gives opens) and `/sitemap.xml`. No sign-in.

Articles are the published ones (the studio's article store): a publish shows at once, and a
draft or an archived article never does. Markdown is rendered by bridge/web/markdown.py,
which lets article text inject no markup or script.
Search is the bot's own hybrid search. A reader scans a list, so it shows what the bot would
answer, or else the matches that share a word with the question; a question matching nothing
but by vague meaning shows "no article answers that yet" rather than unrelated articles.
"""

from typing import Annotated, Any
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, StrictBool, StringConstraints

from bridge.api.deps import ServicesDep, client_ip
from bridge.api.pages import JAVASCRIPT, SCRIPT_CACHE, STATIC, templates
from bridge.schemas import Language
from bridge.services.help_votes import TooManyVotes, UnknownArticle
from bridge.web.help_strings import HELP_STRINGS
from bridge.web.markdown import render_article
from knowledge_base.articles import ID_PATTERN
from knowledge_base.index_store import KBIndexError
from knowledge_base.library import Library, description

router = APIRouter(tags=["help center"])
_ARTICLE_ID = ID_PATTERN
MAX_QUERY_CHARS = 200
SNIPPET_CHARS = 220


def _help_url(base: str, language: str) -> str:
    return f"{base}/help" + ("?lang=hu" if language == "hu" else "")


def _page(request: Request, template: str, language: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"lang": language, "t": HELP_STRINGS[language], **context}
    )


@router.get("/help", response_class=HTMLResponse, include_in_schema=False)
async def help_center(
    request: Request,
    services: ServicesDep,
    lang: Language = "en",
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    base = services.settings.public_url
    library: Library = await services.articles.library()
    query, tag = " ".join(q.split()), tag.strip()
    hits: list[dict[str, str]] = []
    fell_back = unavailable = False
    if query:
        try:
            result = await services.search_articles(query, language=lang, top_k=5)
        except KBIndexError:
            unavailable = True
        else:
            confident = result.decision != "no_answer"
            fell_back = result.fell_back
            hits = [
                {
                    "article_id": hit.article_id,
                    "title": hit.title,
                    "snippet": hit.chunk.text[:SNIPPET_CHARS],
                }
                for hit in result.hits
                # A reader scans a list, so the bar is lower than the bot's: what the bot would
                # answer, or what shares a word with the question (never a meaning-only guess).
                if (confident or hit.lexical > 0) and hit.article_id in library.articles
            ]
    other = "hu" if lang == "en" else "en"
    return _page(
        request,
        "help.html",
        lang,
        canonical=_help_url(base, lang),
        alternates=[("en", _help_url(base, "en")), ("hu", _help_url(base, "hu")),
                    ("x-default", _help_url(base, "en"))],
        switch_url=_help_url("", other),
        query=query,
        max_query=MAX_QUERY_CHARS,
        hits=hits,
        fell_back=fell_back,
        search_unavailable=unavailable,
        tag=tag,
        tagged=library.tagged(lang, tag) if tag else [],
        sections=library.sections(lang),
    )  # fmt: skip


@router.get("/kb/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(article_id: str, request: Request, services: ServicesDep) -> HTMLResponse:
    if not _ARTICLE_ID.fullmatch(article_id):
        raise HTTPException(404, detail="no such article")
    library: Library = await services.articles.library()
    article = library.articles.get(article_id)
    if article is None:
        raise HTTPException(404, detail="no such article")
    base = services.settings.public_url
    versions = library.versions_of(article_id)
    alternates = [(lang, f"{base}/kb/{other.id}") for lang, other in versions.items()]
    if len(versions) > 1:
        default = versions.get("en") or next(iter(versions.values()))
        alternates.append(("x-default", f"{base}/kb/{default.id}"))
    translation = next((a for lang, a in versions.items() if lang != article.lang), None)
    return _page(
        request,
        "kb_article.html",
        article.lang,
        article=article,
        body_html=render_article(article.body),
        description=description(article),
        canonical=f"{base}/kb/{article.id}",
        alternates=alternates if len(versions) > 1 else [],
        switch_url=f"/kb/{translation.id}" if translation else "",
    )


@router.get("/help/vote.js", include_in_schema=False)
async def vote_script() -> FileResponse:
    return FileResponse(STATIC / "help" / "vote.js", media_type=JAVASCRIPT, headers=SCRIPT_CACHE)


@router.get("/sitemap.xml", include_in_schema=False)
async def sitemap(services: ServicesDep) -> Response:
    """The help center and every valid article, each with its language versions."""
    base = services.settings.public_url
    library: Library = await services.articles.library()
    entries: list[tuple[str, str | None, list[tuple[str, str]]]] = [
        (_help_url(base, lang), None, [(x, _help_url(base, x)) for x in ("en", "hu")])
        for lang in ("en", "hu")
    ]
    for article in sorted(library.articles.values(), key=lambda a: a.id):
        versions = library.versions_of(article.id)
        alternates = [(lang, f"{base}/kb/{a.id}") for lang, a in versions.items()]
        entries.append(
            (
                f"{base}/kb/{article.id}",
                article.updated.isoformat(),
                alternates if len(versions) > 1 else [],
            )
        )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for loc, modified, alternates in entries:
        lines.append(f"  <url><loc>{escape(loc)}</loc>")
        if modified:
            lines.append(f"    <lastmod>{modified}</lastmod>")
        lines.extend(
            f'    <xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(href)}/>'
            for lang, href in alternates
        )
        lines.append("  </url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


class HelpVoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article_id: Annotated[str, StringConstraints(pattern=f"^{_ARTICLE_ID.pattern}$")]
    helpful: StrictBool


class HelpVoteStored(BaseModel):
    id: int


@router.post("/api/help/votes", status_code=status.HTTP_201_CREATED)
async def vote(body: HelpVoteIn, request: Request, services: ServicesDep) -> HelpVoteStored:
    """A reader's "was this helpful?" on an article page. No sign-in: a JSON body (which a
    cross-site form cannot send without the browser asking first) and a limit per address."""
    address = client_ip(request)
    try:
        vote_id = await services.help_votes.vote(
            article_id=body.article_id, helpful=body.helpful, address=address
        )
    except UnknownArticle as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such article") from exc
    except TooManyVotes as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many votes",
            headers={"Retry-After": str(max(1, round(exc.retry_after_s)))},
        ) from exc
    return HelpVoteStored(id=vote_id)
