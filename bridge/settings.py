"""Bridge settings, read once from the environment (prefix-free names, see README)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bridge.edge.client_address import trusted_proxies
from bridge.services.business_hours import BusinessHours
from bridge.services.rasa_tracker_store import async_tracker_url

DEV_SECRET = "dev-insecure-secret-change-me"
DEV_RASA_TOKEN = "dev-rasa-token"
DEV_SERVICE_TOKEN = "dev-service-token"
DEV_ACTION_SERVER_TOKEN = "dev-action-server-token"


class Settings(BaseSettings):
    """Everything the bridge can be told; every field is an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        description="Required: dev and test accept the placeholder secrets; production refuses "
        "them. No default, so a deployment that forgets it does not run on the placeholders.",
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
    queue_abandon_after_s: float = Field(
        300.0,
        gt=0,
        le=7 * 24 * 3600,
        description="A waiting customer whose chat is closed on every page this long leaves "
        "the queue: the handoff is missed, listed with the messages left (sooner back: they "
        "keep their place). Meanwhile they hold no place in others' positions.",
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
    transfer_offer_timeout_s: float = Field(
        60.0,
        ge=5,
        le=3600,
        description="A chat offered to a colleague who has not accepted it this long stays "
        "with the agent who offered it (the offer expires).",
    )
    identity_secret: str = Field(
        "",
        description="Shared with the shop's server, which signs a signed-in customer's id "
        "with it (HMAC-SHA256, hex) for the widget's identify(). Empty: identities are ignored "
        "and every customer is anonymous.",
    )
    identity_attributes: str = Field(
        "",
        description="Comma-separated names of the customer attributes the bridge stores "
        "(e.g. order_id,order_status,cart_value,plan); others are dropped. Empty: none.",
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
    nps_review_url: str = Field(
        "",
        pattern=r"^(https?://[^\s()<>]+)?$",
        description="Where promoters are invited to leave a review (the action server's "
        "NPS_REVIEW_URL): the only target of the counted redirect /r/review/{token}.",
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

    action_server_token: str = Field(
        DEV_ACTION_SERVER_TOKEN,
        description="Rasa sends it to the action server on every call; the action server "
        "refuses calls without it (ACTION_SERVER_TOKEN, the same value in both).",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "X-Forwarded-For is believed (e.g. 127.0.0.1 behind nginx on the same host); '*' trusts "
        "every peer. Empty: the socket's peer is the client.",
    )
    api_docs: bool = Field(
        False, description="Serve /docs, /redoc and /openapi.json in production too."
    )
    max_request_bytes: int = Field(
        1_048_576,
        ge=1024,
        le=64 * 1_048_576,
        description="Largest request body accepted (413 above it).",
    )
    new_conversations_per_ip: int = Field(
        60, ge=1, description="New conversations one address may start per window."
    )
    new_conversations_per_visitor: int = Field(
        10, ge=1, description="New conversations one visitor id may start per window."
    )
    new_conversations_window_s: float = Field(
        3600.0, gt=0, le=7 * 24 * 3600, description="Window of the two limits above."
    )
    sign_in_slow_down_s: float = Field(
        2.0,
        ge=0,
        le=30,
        description="While an account has had many failed sign-ins from anywhere, every attempt "
        "on it waits this long (one at a time per process) instead of being locked out.",
    )

    max_sockets_per_conversation: int = Field(
        5,
        ge=1,
        le=100,
        description="Open customer websockets one conversation may have (tabs, over every "
        "bridge process); one more is refused (close code 4429) and the open ones keep going.",
    )
    typing_events_per_s: float = Field(
        3.0,
        gt=0,
        le=100,
        description="Typing events one socket may send per second (a burst of as many); more "
        "are dropped, not passed on.",
    )

    # --- privacy (bridge/services/privacy.py, retention.py; docs/privacy.md) ---
    rasa_tracker_url: str = Field(
        "sqlite:///var/rasa_tracker.db",
        description="Rasa's SQL tracker store, the same URL Rasa gets (sqlite:/// or "
        "postgresql://): erasures and the retention purge delete its events there too. Empty: "
        "Rasa keeps trackers in memory, nothing to delete.",
    )
    retention_days: int = Field(
        365,
        ge=0,
        le=36500,
        description="Conversations inactive this many days are erased (text and identifiers; "
        "the reports keep their counts). 0: keep everything.",
    )
    retention_interval_s: float = Field(
        3600.0,
        ge=1,
        le=7 * 24 * 3600,
        description="How often each bridge process runs the retention purge.",
    )

    @field_validator("rasa_tracker_url")
    @classmethod
    def _tracker_url(cls, value: str) -> str:
        value = value.strip()
        if value:
            async_tracker_url(value)  # raises on a URL the bridge cannot open
        return value

    @model_validator(mode="before")
    @classmethod
    def _environment_is_explicit(cls, values: object) -> object:
        if isinstance(values, dict) and not values.get("environment"):
            raise ValueError("ENVIRONMENT must be set explicitly: dev, test or production")
        return values

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        trusted_proxies(value)  # raises on anything that is not an address or network
        return value

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
    def identity_attribute_names(self) -> frozenset[str]:
        names = (name.strip() for name in self.identity_attributes.split(","))
        return frozenset(name for name in names if name)

    @property
    def rasa_servers(self) -> list[str]:
        return self.rasa_urls.split(",") if self.rasa_urls else [self.rasa_url]

    @property
    def queue_sweep_interval_s(self) -> float:
        """How often each process sweeps the queue for customers gone QUEUE_ABANDON_AFTER_S:
        a tenth of it (a miss comes at most 10 % late), between 0.25 s and 15 s."""
        return min(15.0, max(0.25, self.queue_abandon_after_s / 10))

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
            if (
                self.action_server_token == DEV_ACTION_SERVER_TOKEN
                or len(self.action_server_token) < 32
            ):
                raise ValueError(
                    "ACTION_SERVER_TOKEN must be set to a random value of 32+ characters"
                )
            if self.identity_secret and len(self.identity_secret) < 32:
                raise ValueError("IDENTITY_SECRET must be empty or 32+ random characters")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` and pass them to the app."""
    return Settings()
