"""Dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, WebSocket, status

from bridge.db.models import Conversation
from bridge.services.chat import AccessDenied, ChatService

_STATUS = {
    "invalid_token": status.HTTP_401_UNAUTHORIZED,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
}


def _chat(request: Request) -> ChatService:
    return request.app.state.services.chat


def chat_for_socket(websocket: WebSocket) -> ChatService:
    return websocket.app.state.services.chat


ChatDep = Annotated[ChatService, Depends(_chat)]
SocketChatDep = Annotated[ChatService, Depends(chat_for_socket)]


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
