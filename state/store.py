"""Where the state store lives and how it is opened: one migrated engine per URL per process."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "data" / "state" / "state.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ENV_VAR = "DASHBOARD_STATE_URL"
_BUSY_TIMEOUT_MS = 30_000
_PG_MIGRATION_LOCK = 0x5354_4154  # pg_advisory_xact_lock key: replicas migrate one at a time

_stores: dict[str, StateStore] = {}
_stores_lock = threading.Lock()


def state_url() -> str:
    """DASHBOARD_STATE_URL, else the SQLite file data/state/state.db (its directory created)."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    DEFAULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_PATH}"


def normalize_url(url: str) -> str:
    """postgresql:// and postgres:// use the psycopg (3) driver."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers never wait for a writer; busy_timeout: writers wait for each other, not fail.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class StateStore:
    """An engine on the state store. Use open_store(); the engine is shared by all threads."""

    def __init__(self, url: str):
        self.url = normalize_url(url)
        self.engine: Engine = _make_engine(self.url)

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"StateStore({make_url(self.url).render_as_string(hide_password=True)!r})"

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(self) -> None:
        """Alembic upgrade head; safe when several processes start at once."""
        cfg = self.alembic_config()
        with self._migration_lock(), self.engine.begin() as conn:
            if self.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def _migration_lock(self):
        path = make_url(self.url).database if self.backend == "sqlite" else None
        if not path or path == ":memory:":
            yield
            return
        with open(f"{path}.migrate.lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None) -> StateStore:
    """The process-wide store for url (default state_url()), migrated on first open."""
    key = normalize_url(url or state_url())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = StateStore(key)
            store.migrate()
            _stores[key] = store
        return store


def close_store(url: str | None = None) -> None:
    """Forget and dispose the cached store (tests; a deleted database file)."""
    key = normalize_url(url or state_url())
    with _stores_lock:
        store = _stores.pop(key, None)
    if store is not None:
        store.dispose()
