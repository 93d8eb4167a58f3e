"""Dependencies shared by the routes: the process's services, typed, and the customer's
conversation a bearer token opens."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, status
from fastapi.requests import HTTPConnection

from bridge.db.models import Conversation
from bridge.services.chat import AccessDenied, ChatService
from bridge.services.container import Services

_STATUS = {
    "invalid_token": status.HTTP_401_UNAUTHORIZED,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
}


def services(connection: HTTPConnection) -> Services:
    """The services the lifespan built (bridge/app.py), for HTTP routes and websockets."""
    built: Services = connection.app.state.services
    return built


ServicesDep = Annotated[Services, Depends(services)]


def client_ip(connection: HTTPConnection) -> str:
    """The client's address (bridge.edge.client_address decided whom to believe)."""
    return connection.client.host if connection.client else "unknown"


def _chat(services: ServicesDep) -> ChatService:
    return services.chat


ChatDep = Annotated[ChatService, Depends(_chat)]


async def customer_conversation(
    conversation_id: str,
    chat: ChatDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Conversation:
    """The conversation the bearer token opens, or 401/403/404."""
    scheme, _, token = (authorization or "").partition(" ")
    try:
        return await chat.authorize(conversation_id, token if scheme.lower() == "bearer" else None)
    except AccessDenied as exc:
        raise HTTPException(
            _STATUS[exc.code],
            detail=exc.code,
            headers={"WWW-Authenticate": "Bearer"} if exc.code == "invalid_token" else None,
        ) from exc


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]
