"""Liveness and readiness probes."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from bridge.api.deps import ServicesDep
from bridge.services.readiness import Readiness

router = APIRouter(tags=["health"])


def _readiness(services: ServicesDep) -> Readiness:
    return services.readiness


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(readiness: Annotated[Readiness, Depends(_readiness)]) -> JSONResponse:
    """200 when ready or degraded (still serving), 503 when not; see services/readiness.py."""
    report = await readiness.report()
    return JSONResponse(
        {"status": report.status, "checks": report.checks, "rasa_servers": report.rasa_servers},
        status_code=503 if report.status == "not_ready" else 200,
    )
