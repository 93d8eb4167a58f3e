"""Liveness and readiness probes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bridge.services.readiness import Readiness

router = APIRouter(tags=["health"])


def _readiness(request: Request) -> Readiness:
    return request.app.state.services.readiness


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(readiness: Annotated[Readiness, Depends(_readiness)]) -> JSONResponse:
    """Ready when every dependency answers (see services/readiness.py); 503 names the rest."""
    checks = await readiness.checks()
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
