"""Sign-in sessions of local accounts: a random token in the browser's cookie, its SHA-256 here.

A session ends when the user signs out, after security.session_idle_minutes without a page run, after
security.session_max_hours in all, or when the account is disabled; an ended token never signs in again.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from state.schema import sign_in_sessions, utcnow
from state.security import load_security
from state.store import StateStore

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute per session


@dataclass(frozen=True)
class SignInSession:
    username: str
    created_at: datetime
    last_seen_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(store: StateStore, username: str, now: datetime | None = None) -> str:
    """A new session for username; returns the token for the cookie (never stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        conn.execute(insert(sign_in_sessions), {"token_hash": _hash(token), "username": username,
                                                "created_at": now, "last_seen_at": now})
    return token


def resume(store: StateStore, token: str | None, now: datetime | None = None) -> SignInSession | None:
    """The live session a cookie token belongs to, touched; None (and ended, if it was live) otherwise."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or utcnow()
    policy = load_security()
    key = _hash(token)
    with store.engine.begin() as conn:
        row = conn.execute(select(sign_in_sessions).where(sign_in_sessions.c.token_hash == key)).first()
        if row is None or row.ended_at is not None:
            return None
        if (now - row.last_seen_at > timedelta(minutes=policy.session_idle_minutes)
                or now - row.created_at > timedelta(hours=policy.session_max_hours)):
            conn.execute(update(sign_in_sessions).where(sign_in_sessions.c.token_hash == key).values(ended_at=now))
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            conn.execute(update(sign_in_sessions).where(sign_in_sessions.c.token_hash == key)
                         .values(last_seen_at=now))
    return SignInSession(row.username, row.created_at, now)


def end(store: StateStore, token: str | None, now: datetime | None = None) -> None:
    if isinstance(token, str) and token:
        with store.engine.begin() as conn:
            conn.execute(update(sign_in_sessions).where(sign_in_sessions.c.token_hash == _hash(token),
                                                        sign_in_sessions.c.ended_at.is_(None))
                         .values(ended_at=now or utcnow()))
