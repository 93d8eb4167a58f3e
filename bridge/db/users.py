"""SQL for support staff accounts: keyword-only functions; callers own the transaction."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import User

ROLES = ("agent", "editor", "admin")
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 80


class InvalidUser(ValueError):
    """A field of a user account is not acceptable; the message says which and why."""


class InvalidEmail(InvalidUser):
    pass


class InvalidRole(InvalidUser):
    pass


class InvalidDisplayName(InvalidUser):
    pass


class UserExists(Exception):
    """Another account already has this email address."""

    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email {email} already exists")
        self.email = email


class UnknownUser(LookupError):
    """No account has this email address."""

    def __init__(self, email: str) -> None:
        super().__init__(f"no user with email {email}")
        self.email = email


def normalize_email(email: str) -> str:
    """Strip and lower-case; deliberately simple (the real check is that mail arrives).

    Raises `InvalidEmail` unless there is one '@', a dotted domain and no whitespace.
    """
    normalized = email.strip().lower()
    local, at, domain = normalized.partition("@")
    if (
        not at
        or not local
        or "@" in domain
        or "." not in domain
        or not all(domain.split("."))
        or any(character.isspace() for character in normalized)
        or len(normalized) > MAX_EMAIL_LENGTH
    ):
        raise InvalidEmail(f"not a valid email address: {email.strip()!r}")
    return normalized


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRole(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def normalize_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidDisplayName(
            f"the display name must have 1 to {MAX_DISPLAY_NAME_LENGTH} characters"
        )
    return name


async def create_user(
    *, session: AsyncSession, email: str, display_name: str, role: str, password_hash: str
) -> User:
    """Add an enabled account (raises `InvalidUser`, or `UserExists` for a taken email).

    After `UserExists` the session's transaction must be rolled back, as after any failed flush.
    """
    user = User(
        email=normalize_email(email),
        display_name=normalize_display_name(display_name),
        role=check_role(role),
        password_hash=password_hash,
        disabled=False,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        # The unique email is the only constraint a well-formed row can break.
        raise UserExists(user.email) from exc
    return user


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def list_users(*, session: AsyncSession) -> list[User]:
    rows = await session.scalars(select(User).order_by(User.email))
    return list(rows)


async def require_user(*, session: AsyncSession, email: str) -> User:
    """The account with this email; raises `UnknownUser`."""
    user = await get_user_by_email(session=session, email=email)
    if user is None:
        raise UnknownUser(email.strip().lower())
    return user


async def set_disabled(*, session: AsyncSession, email: str, disabled: bool) -> User:
    """Disable (or re-enable) an account; raises `UnknownUser`."""
    user = await require_user(session=session, email=email)
    user.disabled = disabled
    await session.flush()
    return user


async def set_password_hash(*, session: AsyncSession, email: str, password_hash: str) -> User:
    """Replace the stored hash (a new password, or a rehash at sign-in); raises `UnknownUser`."""
    user = await require_user(session=session, email=email)
    user.password_hash = password_hash
    await session.flush()
    return user


async def display_names(*, session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """User id -> display name, for the ids that exist."""
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}
