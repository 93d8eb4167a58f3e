"""Settings of the action server (environment variables; read once, on first use)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The same placeholder as the bridge's (bridge/settings.py): dev and test run on it.
DEV_ACTION_SERVER_TOKEN = "dev-action-server-token"


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        "dev", description="production refuses the placeholder tokens (as the bridge does)."
    )
    action_server_token: str = Field(
        DEV_ACTION_SERVER_TOKEN,
        description="Rasa's calls must carry it (Authorization: Bearer); see actions/serve.py.",
    )
    bridge_url: str = Field("http://127.0.0.1:8000", description="The bridge's API, for actions.")
    service_token: str = Field("dev-service-token", description="Token for the bridge's API.")
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base of article links shown to customers."
    )
    bridge_timeout_s: float = Field(3.0, gt=0, le=60)
    kb_context_turns: int = Field(
        1, ge=0, le=5, description="Earlier customer messages added to a follow-up question."
    )
    nps_on_goodbye: bool = Field(
        True, description="Ask for NPS when the customer says goodbye after an answer."
    )
    nps_on_feedback_request: bool = Field(
        True, description="Ask for NPS when the customer says they want to give feedback."
    )
    nps_review_url: str = Field(
        "",
        pattern=r"^(https?://[^\s()<>]+)?$",
        description="Where promoters are invited to leave a review or refer a friend.",
    )
    referral_question: bool = Field(
        True,
        description='Ask each customer once "How did you hear about us?" after a helpful answer.',
    )
    # The same setting as the bridge's, which refuses longer reasons: asked again instead.
    nps_reason_max_chars: int = Field(1000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> "ActionSettings":
        if self.environment == "production":
            if (
                self.action_server_token == DEV_ACTION_SERVER_TOKEN
                or len(self.action_server_token) < 32
            ):
                raise ValueError(
                    "ACTION_SERVER_TOKEN must be set to a random value of 32+ characters"
                )
            if self.service_token == "dev-service-token":
                raise ValueError("SERVICE_TOKEN must be set outside dev")
        return self


@lru_cache
def get_action_settings() -> ActionSettings:
    return ActionSettings()
