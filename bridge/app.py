"""Application factory: wires settings, database, Rasa client and services into FastAPI."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from bridge.api import (
    console_pages,
    conversation_history,
    conversations,
    conversations_page,
    customer_history,
    feedback,
    goals,
    handoffs,
    health,
    help_center,
    missed_chats,
    nps,
    offline_requests,
    pages,
    presence,
    privacy,
    referrals,
    reports,
    review_links,
    saved_replies,
    staff_auth,
    staff_console,
    studio,
    studio_articles,
    transfers,
    unanswered,
    ws_agent,
    ws_chat,
)
from bridge.edge.body_limit import BodyLimitMiddleware
from bridge.edge.client_address import ClientAddressMiddleware, trusted_proxies
from bridge.edge.security_headers import SecurityHeadersMiddleware
from bridge.services import article_files
from bridge.services.container import build_services
from bridge.settings import Settings, get_settings
from knowledge_base.settings import KBSettings, get_kb_settings

log = logging.getLogger(__name__)
ECHO_LIMIT = 200  # characters of a refused value a 422 repeats


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, except that a NaN or Infinity in the refused input, which JSON cannot
    carry, is left out of the answer instead of turning the refusal into a 500."""
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder([_short_input(error) for error in exc.errors()])
    try:
        return JSONResponse({"detail": errors}, status_code=422)
    except ValueError:
        plain = [{k: v for k, v in e.items() if k != "input"} for e in errors]
        return JSONResponse({"detail": plain}, status_code=422)


def _short_input(error: Any) -> Any:
    """A refused input is shown back only in part: a 1 MB value is not echoed whole."""
    value = error.get("input") if isinstance(error, dict) else None
    if isinstance(value, str) and len(value) > ECHO_LIMIT:
        return {**error, "input": value[:ECHO_LIMIT] + "…"}
    if value is not None and not isinstance(value, str) and len(repr(value)) > ECHO_LIMIT:
        return {k: v for k, v in error.items() if k != "input"}
    return error


def create_app(settings: Settings | None = None, kb_settings: KBSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    kb_settings = kb_settings or get_kb_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings, kb_settings)
        await services.shared.start()
        services.chat.start_sweeper()
        # A new install publishes the Markdown files; from then on the database holds them.
        seeded = await article_files.seed(services.articles, kb_settings.articles_dir)
        if seeded:
            log.info("published %d articles from %s", seeded, kb_settings.articles_dir)
        if kb_settings.warm_up:
            services.start_warm_up()
        indexing = asyncio.create_task(services.index_sync.run(kb_settings.sync_interval_s))
        purging = asyncio.create_task(services.retention.run(settings.retention_interval_s))
        sweeping = asyncio.create_task(services.queue_hygiene.run(settings.queue_sweep_interval_s))
        expiring = asyncio.create_task(services.transfers.run())
        app.state.services = services
        if settings.gc_freeze:
            # Everything loaded so far (modules, settings, templates) lives as long as the
            # process: out of the collector's way, a full collection no longer walks it
            # (measured: 150 ms pauses every few requests of the studio's 2,000-article list).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            indexing.cancel()
            purging.cancel()
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
            expiring.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expiring
            with contextlib.suppress(asyncio.CancelledError):
                await purging
            with contextlib.suppress(asyncio.CancelledError):
                await indexing
            await services.chat.stop_sweeper()
            await services.chat.drain()
            await services.customers.drain()  # widget closes still noting who left the queue
            await services.shared.aclose()
            await services.rasa.aclose()
            await services.tracker_store.aclose()
            await services.engine.dispose()

    # The interactive docs describe every route to whoever asks: off in production unless
    # API_DOCS says otherwise.
    docs = settings.environment != "production" or settings.api_docs
    app = FastAPI(
        title="Northwind support bridge",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    # The widget is embedded on any site and authenticates with a bearer token, not cookies.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        ClientAddressMiddleware, trusted=trusted_proxies(settings.forwarded_allow_ips)
    )
    app.include_router(health.router)
    app.include_router(conversations.router)
    app.include_router(ws_chat.router)
    app.include_router(ws_agent.router)
    app.include_router(unanswered.router)
    app.include_router(handoffs.router)
    app.include_router(nps.router)
    app.include_router(referrals.router)
    app.include_router(feedback.router)
    app.include_router(offline_requests.router)
    app.include_router(goals.router)
    app.include_router(help_center.router)
    app.include_router(pages.router)
    app.include_router(staff_auth.router)
    app.include_router(presence.router)
    app.include_router(staff_console.router)
    app.include_router(conversation_history.router)
    app.include_router(conversations_page.router)  # before console_pages' /console/{name}
    app.include_router(missed_chats.router)
    app.include_router(transfers.router)
    app.include_router(saved_replies.router)
    app.include_router(customer_history.router)
    app.include_router(reports.router)
    app.include_router(review_links.router)
    app.include_router(privacy.router)  # before console_pages: /dashboard/{asset} is there
    app.include_router(console_pages.router)
    app.include_router(studio.router)
    app.include_router(studio_articles.router)
    return app
