"""State store: the migration creates exactly state/schema.py on SQLite and PostgreSQL; opening is
cached and migrates once; SQLite settings; concurrent writers on one SQLite file."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, inspect, select, text

from state import accounts as acc
from state import audit, passwords
from state.schema import accounts, audit_log, metadata
from state.store import DEFAULT_PATH, StateStore, close_store, normalize_url, open_store, state_url
from tests import pg_server

postgres_url = pg_server.postgres_url  # this session's PostgreSQL cluster
state_db_url = pg_server.state_db_url  # a fresh store URL, once per backend

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


def test_migrated_schema_matches_metadata(state_db_url):
    store = open_store(state_db_url)
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        tables = set(inspect(conn).get_table_names())
    assert diffs == []
    assert version == ["0003"]  # the newest revision in state/migrations/versions
    assert tables == {"accounts", "audit_log", "sign_in_sessions", "supervision_items", "supervision_links",
                      "supervision_events", "supervision_evidence", "alembic_version"}


def test_open_store_is_cached_and_migrate_is_idempotent(state_db_url):
    store = open_store(state_db_url)
    assert open_store(state_db_url) is store
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_same_actions_give_the_same_rows_on_both_backends(state_db_url):
    """One scripted sequence; every backend must end in exactly this state."""
    store = open_store(state_db_url)
    acc.add_account(store, "boss", "专班", password="Boss2024pass", actor="系统")
    acc.add_account(store, "linquan1", "unit", unit_id="linquan", campaign_id="fuyang-2023",
                    password="Unit2024pass", actor="boss")
    acc.authenticate(store, "linquan1", "wrong-guess-1")
    acc.authenticate(store, "linquan1", "Unit2024pass")
    acc.set_role(store, "linquan1", "领导", None, "boss")
    acc.set_active(store, "linquan1", False, "boss")
    with store.engine.connect() as conn:
        rows = conn.execute(select(accounts.c.username, accounts.c.role, accounts.c.unit_id, accounts.c.campaign_id,
                                   accounts.c.active, accounts.c.failed_count).order_by(accounts.c.username)).all()
        log = conn.execute(select(audit_log.c.actor, audit_log.c.role, audit_log.c.action, audit_log.c.ok)
                           .order_by(audit_log.c.id)).all()
    assert [tuple(r) for r in rows] == [
        ("boss", "office", None, None, True, 0),
        ("linquan1", "leader", None, "fuyang-2023", False, 0),
    ]
    assert [tuple(r) for r in log] == [
        ("系统", None, "user_added", True),
        ("boss", "office", "user_added", True),
        ("linquan1", "unit", "sign_in_failed", False),
        ("linquan1", "unit", "sign_in", True),
        ("boss", "office", "role_changed", True),
        ("boss", "office", "user_disabled", True),
    ]


def test_state_url_default_and_environment(monkeypatch):
    monkeypatch.delenv("DASHBOARD_STATE_URL", raising=False)
    assert state_url() == f"sqlite:///{ROOT / 'data' / 'state' / 'state.db'}"
    assert DEFAULT_PATH.parent.is_dir()
    monkeypatch.setenv("DASHBOARD_STATE_URL", "postgresql://app@db.example/state")
    assert state_url() == "postgresql://app@db.example/state"


def test_plain_postgresql_urls_use_psycopg():
    assert normalize_url("postgresql://u:p%40ss@h:5433/db") == "postgresql+psycopg://u:p%40ss@h:5433/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_sqlite_connection_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'state.db'}"
    store = open_store(url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    close_store(url)


def test_threads_adding_accounts_and_auditing_do_not_lock(tmp_path):
    """Two writers (two engines, as two processes would have) on one SQLite file at once."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    open_store(url)
    stores = [StateStore(url), StateStore(url)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(i: int) -> None:
        try:
            start.wait()
            for n in range(10):
                acc.add_account(stores[i], f"user{i}_{n}", "分析员", actor="系统")
                for k in range(10):
                    audit.record(stores[i], f"user{i}_{n}", "console_query", detail={"sql": f"select {k}"})
        except BaseException as e:  # noqa: BLE001 — reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with stores[0].engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)).scalar() == 20
        # 20 user_added + 200 console_query
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar() == 220
    for s in stores:
        s.dispose()
    close_store(url)


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    code = "import sys; from state.store import open_store; open_store(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    assert [(p.wait(), p.stderr.read()) for p in procs] == [(0, "")] * 3
    store = open_store(url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0003"]
    close_store(url)
