"""Liveness and readiness probes."""

import asyncio

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database, Rasa (with a model), the action server and (when the bridge
    shares its state through one) Redis all answer."""
    services = request.app.state.services

    async def database() -> bool:
        try:
            async with services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not ready"
            return False

    async def action_server() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{services.settings.action_server_url}/health")
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    db_ok, rasa_ok, actions_ok, redis_ok = await asyncio.gather(
        database(), services.rasa.is_ready(), action_server(), services.shared.is_ready()
    )
    checks = {"database": db_ok, "rasa": rasa_ok, "action_server": actions_ok}
    if redis_ok is not None:
        checks["redis"] = redis_ok
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
