"""Settings of the action server (environment variables; read once, on first use)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bridge_url: str = Field("http://127.0.0.1:8000", description="The bridge's API, for actions.")
    service_token: str = Field("dev-service-token", description="Token for the bridge's API.")
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base of article links shown to customers."
    )
    bridge_timeout_s: float = Field(3.0, gt=0, le=60)
    kb_context_turns: int = Field(
        1, ge=0, le=5, description="Earlier customer messages added to a follow-up question."
    )


@lru_cache
def get_action_settings() -> ActionSettings:
    return ActionSettings()
