"""Password hashing (argon2id), generation and the length/complexity rule."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from state.security import load_security

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes); tests swap in a cheap one
# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
GENERATED_LENGTH = 16


def generate_password(length: int = GENERATED_LENGTH) -> str:
    """A random password of letters and digits, with at least one upper, one lower letter and one digit."""
    while True:
        pw = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if any(c.isupper() for c in pw) and any(c.islower() for c in pw) and any(c.isdigit() for c in pw):
            return pw


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why the password is not accepted (Chinese), or None."""
    n = load_security().password_min_length
    if len(password) < n or not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return f"密码至少 {n} 个字符，且须同时包含字母和数字"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同"
    return None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


_dummy: dict[tuple, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password made with the current hasher's parameters (so it costs the same)."""
    h = HASHER
    key = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type)
    if key not in _dummy:
        _dummy[key] = h.hash(secrets.token_hex(16))
    return _dummy[key]


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Without a hash a dummy one is checked, so that an unknown
    user name takes as long as a wrong password (no timing hint that a name exists)."""
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
