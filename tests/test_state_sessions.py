"""Sign-in sessions (state/sessions.py): a token resumes until sign-out, idle timeout or maximum age;
the store keeps only its SHA-256; on SQLite and on a real PostgreSQL."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from state import sessions
from state.schema import sign_in_sessions
from state.store import StateStore
from tests import pg_server

postgres_url = pg_server.postgres_url
state_db_url = pg_server.state_db_url

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture()
def store(state_db_url):
    s = StateStore(state_db_url)
    s.migrate()
    yield s
    s.dispose()


def test_token_resumes_and_only_its_hash_is_stored(store):
    token = sessions.open_session(store, "zhang", now=T0)
    found = sessions.resume(store, token, now=T0 + timedelta(minutes=10))
    assert found.username == "zhang" and found.created_at == T0
    with store.engine.connect() as conn:
        stored = conn.execute(select(sign_in_sessions.c.token_hash)).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in stored
    assert sessions.resume(store, token[:-1] + ("A" if token[-1] != "A" else "B"), now=T0) is None
    assert sessions.resume(store, None) is None and sessions.resume(store, "x" * 500) is None


def test_idle_timeout_counts_from_the_last_touch(store):
    token = sessions.open_session(store, "zhang", now=T0)
    # security.toml: 30 minutes idle; each resume touches (at most once a minute)
    for minutes in (25, 50, 75):
        assert sessions.resume(store, token, now=T0 + timedelta(minutes=minutes)) is not None
    assert sessions.resume(store, token, now=T0 + timedelta(minutes=75 + 31)) is None
    assert sessions.resume(store, token, now=T0 + timedelta(minutes=75 + 32)) is None  # ended for good


def test_maximum_age_ends_even_an_active_session(store):
    token = sessions.open_session(store, "zhang", now=T0)
    t = T0
    while t < T0 + timedelta(hours=11, minutes=50):
        t += timedelta(minutes=20)
        assert sessions.resume(store, token, now=t) is not None
    assert sessions.resume(store, token, now=T0 + timedelta(hours=12, minutes=1)) is None  # 12 hours


def test_sign_out_ends_the_token_and_no_other(store):
    mine = sessions.open_session(store, "zhang", now=T0)
    other_tab = sessions.open_session(store, "zhang", now=T0)
    sessions.end(store, mine, now=T0 + timedelta(minutes=1))
    assert sessions.resume(store, mine, now=T0 + timedelta(minutes=2)) is None
    assert sessions.resume(store, other_tab, now=T0 + timedelta(minutes=2)).username == "zhang"
