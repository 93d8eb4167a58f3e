"""Staff passwords: the length policy and Argon2id hashing (argon2-cffi's RFC 9106 defaults)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256

# Stateless and cheap to build; it holds only the cost parameters.
_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password breaks the policy; the message says how, never what the password was."""


def check_password_policy(password: str) -> None:
    """Length limits only (NIST SP 800-63B): long passphrases beat composition rules.

    The upper bound keeps a hostile caller from making the server hash megabytes.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters")
    if password.isspace():
        raise WeakPassword("the password must not be only whitespace")


def hash_password(password: str) -> str:
    """Check the policy, then hash with a fresh salt (raises `WeakPassword`)."""
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when the password matches; False for a wrong password or an unreadable hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other cost parameters (or cannot be read at all),
    so it should be replaced the next time the password is known, at sign-in."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
