"""Bridge settings, read once from the environment (prefix-free names, see README)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bridge.services.business_hours import BusinessHours

DEV_SECRET = "dev-insecure-secret-change-me"
DEV_RASA_TOKEN = "dev-rasa-token"
DEV_SERVICE_TOKEN = "dev-service-token"


class Settings(BaseSettings):
    """Everything the bridge can be told; every field is an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        "dev", description="dev and test accept the placeholder secrets; production refuses them."
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///var/bridge.db",
        description="SQLAlchemy URL of the application database (sqlite+aiosqlite or "
        "postgresql+asyncpg).",
    )
    secret_key: str = Field(DEV_SECRET, description="Signs customer tokens and staff sessions.")
    customer_token_ttl_s: int = Field(
        7 * 24 * 3600, ge=60, description="How long a customer's conversation token is valid."
    )
    staff_session_ttl_s: int = Field(
        12 * 3600, ge=60, description="How long a staff sign-in (the session cookie) lasts."
    )
    agent_away_after_s: float = Field(
        300, gt=0, description="An agent quiet this long shows as away."
    )
    agent_offline_after_s: float = Field(
        900, gt=0, description="An agent quiet this long shows as offline."
    )
    rasa_url: str = Field("http://127.0.0.1:5005", description="Base URL of the Rasa server.")
    rasa_urls: str = Field(
        "",
        description="Several Rasa servers, comma-separated (they share the tracker store and a "
        "Redis lock store): conversations are spread over them. Empty: RASA_URL alone.",
    )
    rasa_token: str = Field(
        DEV_RASA_TOKEN, description="Token for Rasa's HTTP API and the bridge's Rasa channel."
    )
    gc_freeze: bool = Field(
        True,
        description="After start-up, move every object loaded so far out of the garbage "
        "collector's reach (gc.freeze): full collections stop walking the modules and models, "
        "which made 150 ms pauses in big pages. Off where one process starts many apps (tests).",
    )
    rasa_timeout_s: float = Field(
        8.0,
        gt=0,
        le=120,
        description="Seconds a turn may take before the customer gets an apology.",
    )
    action_server_url: str = Field(
        "http://127.0.0.1:5055", description="Base URL of the action server (readiness check)."
    )
    max_message_chars: int = Field(
        2000, ge=1, le=100_000, description="Longest customer message accepted."
    )
    rate_limit_messages: int = Field(
        10, ge=1, description="Customer messages allowed per conversation per rate-limit window."
    )
    rate_limit_window_s: float = Field(10.0, gt=0, description="Length of the rate-limit window.")
    service_token: str = Field(
        DEV_SERVICE_TOKEN, description="Shared by the action server to call the bridge's API."
    )
    handoff_minutes_per_customer: float = Field(
        3.0,
        gt=0,
        le=240,
        description="Minutes an agent needs per customer: a queued customer's estimated wait "
        "is their place in the queue times this.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where customers reach the bridge.",
    )
    business_hours: str = Field(
        "mon-sun 00:00-24:00",
        description="When agents take chats, e.g. 'mon-fri 09:00-17:00; sat 10:00-14:00'.",
    )
    business_timezone: str = Field("Europe/Budapest", description="Time zone of the hours.")
    business_holidays: str = Field(
        "", description="Closed days, comma-separated YYYY-MM-DD (e.g. 2026-12-25,2026-12-26)."
    )
    agent_grace_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="An agent whose console is disconnected this long gets their chats "
        "put back in the queue.",
    )
    nps_cooldown_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="A visitor is asked for NPS at most once in this many days (a conversation "
        "without a visitor id: once in it).",
    )
    nps_reason_max_chars: int = Field(
        1000, ge=1, le=100_000, description="Longest reason accepted with an NPS score."
    )
    nps_after_agent: bool = Field(
        True,
        description="Ask for NPS when an agent hands a conversation back or closes it "
        "(within the visitor's cooldown the bot just greets, or the chat stays closed).",
    )
    relay_retry_after_s: float = Field(
        120.0,
        ge=1,
        le=3600,
        description="A stored customer message still waiting for the bot this long (Rasa was "
        "down or busy past RASA_TIMEOUT_S, or its bridge process died) is relayed again by any "
        "bridge process.",
    )
    relay_give_up_after_s: float = Field(
        3600.0,
        ge=60,
        le=7 * 24 * 3600,
        description="A message still unanswered this long after it was stored is no longer "
        "relayed: an answer that late would not fit the chat.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis for the state several bridge processes share (fan-out, presence, "
        "rate limits, turn order); unset: kept in this one process.",
    )
    redis_prefix: str = Field(
        "supportbot:",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Prefix of every Redis key and channel (several shops on one Redis).",
    )

    @model_validator(mode="after")
    def _readable_hours(self) -> "Settings":
        BusinessHours(
            hours=self.business_hours, zone=self.business_timezone, holidays=self.business_holidays
        )
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None  # REDIS_URL= in a .env file: not set
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the plain URLs people paste and pick the async drivers the bridge runs on.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("DATABASE_URL must be a sqlite or postgresql URL")
        return value

    @field_validator("rasa_url", "action_server_url", "public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("rasa_urls")
    @classmethod
    def _http_urls(cls, value: str) -> str:
        urls = [url.strip() for url in value.split(",") if url.strip()]
        return ",".join(cls._http_url(url) for url in urls)

    @property
    def rasa_servers(self) -> list[str]:
        return self.rasa_urls.split(",") if self.rasa_urls else [self.rasa_url]

    @model_validator(mode="after")
    def _relay_waits_for_a_turn(self) -> "Settings":
        # A lease shorter than a turn may take would relay a message again while Rasa still
        # works on it.
        if self.relay_retry_after_s <= self.rasa_timeout_s:
            raise ValueError("RELAY_RETRY_AFTER_S must be longer than RASA_TIMEOUT_S")
        return self

    @model_validator(mode="after")
    def _away_before_offline(self) -> "Settings":
        if self.agent_offline_after_s < self.agent_away_after_s:
            raise ValueError("AGENT_OFFLINE_AFTER_S must not be shorter than AGENT_AWAY_AFTER_S")
        return self

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> "Settings":
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be set to a random value of 32+ characters")
            if self.rasa_token == DEV_RASA_TOKEN:
                raise ValueError("RASA_TOKEN must be set outside dev")
            if self.service_token == DEV_SERVICE_TOKEN or len(self.service_token) < 32:
                raise ValueError("SERVICE_TOKEN must be set to a random value of 32+ characters")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` and pass them to the app."""
    return Settings()
