"""Authentication of internal callers (the action server) by the shared service token."""

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from bridge.api.deps import services as services_of


def require_service(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    expected = services_of(request).settings.service_token
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid service token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


ServiceCaller = Annotated[None, Depends(require_service)]
