"""Staff accounts and the audit of privacy requests."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.models.base import Base, BigIntId, utcnow


class User(Base):
    """A member of the support staff who signs in to the agent console or the KB editor."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # Stored stripped and lower-cased (bridge.db.users), so uniqueness ignores case.
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class PrivacyAudit(Base):
    """One export, erasure or retention purge of customers' data: who, when, what kind of
    selector and how much was touched, never the content (bridge.services.privacy)."""

    __tablename__ = "privacy_audit"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # An admin's email, "cli:<os user>" or "retention".
    actor: Mapped[str] = mapped_column(String(254))
    # export | erase | purge
    action: Mapped[str] = mapped_column(String(16))
    # conversation | visitor | email | retention
    selector: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the selector's value under SECRET_KEY: who asked can be checked, not read.
    subject_hash: Mapped[str | None] = mapped_column(String(64))
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    tracker_events: Mapped[int] = mapped_column(Integer, default=0)
