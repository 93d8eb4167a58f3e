"""Customers' privacy requests for admins: export and erase a person's data, the audit log,
and the dashboard page that drives them (/dashboard/privacy). Export is a POST too: it is
written to the audit log, so it changes state and takes the CSRF token like erase."""

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bridge.api.deps import ServicesDep
from bridge.api.deps import services as services_of
from bridge.api.pages import templates
from bridge.api.staff_deps import SESSION_COOKIE, CsrfChecked, require_role
from bridge.services.privacy import (
    MAX_VALUE,
    InvalidSelector,
    Selector,
    SelectorKind,
    check_value,
)
from bridge.services.privacy_export import render_html
from bridge.services.staff_auth import StaffMember
from bridge.services.staff_sessions import InvalidSession
from bridge.web.privacy_strings import PRIVACY_STRINGS

router = APIRouter(tags=["privacy"])
Admin = Annotated[StaffMember, Depends(require_role("admin"))]
AUDIT_ROWS = 100


class SelectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SelectorKind
    value: str = Field(min_length=1, max_length=MAX_VALUE)

    @field_validator("value")
    @classmethod
    def _names_someone(cls, value: str) -> str:
        try:
            return check_value(value)
        except InvalidSelector as exc:  # a 422 in FastAPI's own shape
            raise ValueError(str(exc)) from exc


class ExportIn(SelectorIn):
    format: Literal["json", "html"] = "json"
    lang: Literal["en", "hu"] = "en"


class ErasureOut(BaseModel):
    conversations: int
    deleted: int
    anonymised: int
    tracker_events: int


def _selector(body: SelectorIn) -> Selector:
    return Selector(body.kind, body.value)  # checked already: SelectorIn's validator


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@router.post("/api/staff/privacy/export", response_model=None)
async def export(
    body: ExportIn, admin: Admin, _csrf: CsrfChecked, services: ServicesDep
) -> Response | dict[str, Any]:
    """Everything held about the person, as JSON or as a readable page to download."""
    data = await services.privacy.export(_selector(body), actor=admin.email)
    if body.format == "json":
        return dataclasses.asdict(data)
    filename = f"export-{_stamp(data.generated_at)}.html"
    return HTMLResponse(
        render_html(data, body.lang),
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/api/staff/privacy/erase")
async def erase(
    body: SelectorIn, admin: Admin, _csrf: CsrfChecked, services: ServicesDep
) -> ErasureOut:
    """Erase the person's data here and in Rasa's tracker store; the reports keep counting."""
    erasure = await services.privacy.erase(_selector(body), actor=admin.email)
    return ErasureOut(**dataclasses.asdict(erasure))


@router.get("/api/staff/privacy/audit")
async def audit(
    _admin: Admin,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = AUDIT_ROWS,
) -> list[dict[str, Any]]:
    """The newest exports, erasures and purges first."""
    return [dataclasses.asdict(entry) for entry in await services.privacy.audit_log(limit=limit)]


@router.get("/dashboard/privacy", response_class=HTMLResponse, include_in_schema=False)
async def privacy_page(request: Request, lang: str = "en") -> Response:
    """Signed-out visitors are sent to the sign-in page, and come back here after it."""
    services = services_of(request)
    try:
        member = await services.staff_auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        return RedirectResponse(
            "/login?next=/dashboard/privacy", status_code=status.HTTP_303_SEE_OTHER
        )
    if member.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the admin role")
    language = lang if lang in PRIVACY_STRINGS else "en"
    return templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "lang": language,
            "t": PRIVACY_STRINGS[language],
            "member": {"display_name": member.display_name},
            "audit": await services.privacy.audit_log(limit=AUDIT_ROWS),
            "retention_days": services.settings.retention_days,
        },
        headers={"Cache-Control": "no-store"},
    )
