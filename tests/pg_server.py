"""A throwaway PostgreSQL cluster for the state store tests: initdb into a temp dir, served on a Unix
socket in that dir only (no TCP), one per pytest session (so one per xdist worker), removed at the end.

Use in a test module (the fixtures must be module attributes there):
    from tests import pg_server
    postgres_url = pg_server.postgres_url
    state_db_url = pg_server.state_db_url
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

SUPERUSER = "statetest"
DATABASE = "statetest"
# Durability is useless for a throwaway cluster; these make start-up and CREATE DATABASE fast.
_SERVER_OPTIONS = "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
startup_seconds: float | None = None


def pg_bin_dir() -> Path | None:
    """Directory holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _server_user() -> str | None:
    """initdb refuses to run as root: run it as postgres (Debian's package creates it) or nobody."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("以 root 运行测试时需要 postgres 或 nobody 系统用户来启动 PostgreSQL")


def _run(cmd: list[str], user: str | None) -> None:
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def start_cluster(bin_dir: Path) -> tuple[str, callable]:
    """Start a cluster; returns (URL of its database, stop function)."""
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="state-pg-"))
    if user:
        pw = pwd.getpwnam(user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            _run([str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"], user)
        shutil.rmtree(base, ignore_errors=True)

    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
              "--locale=C", "--no-sync", "--no-instructions"], user)
        _run([str(bin_dir / "pg_ctl"), "start", "-D", str(data), "-w", "-s", "-l", str(base / "server.log"),
              "-o", f"{_SERVER_OPTIONS} -k {base}"], user)
        _admin_sql(_url(base, "postgres"), f'CREATE DATABASE "{DATABASE}"')
    except BaseException:
        stop()
        raise
    return _url(base, DATABASE), stop


def _url(socket_dir: Path, database: str) -> str:
    return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={socket_dir}"


def _admin_sql(url: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(host=u.query["host"], user=u.username, dbname=u.database, autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(server_url: str) -> str:
    """A new empty database on the cluster of server_url; returns its URL."""
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:12]}"
    _admin_sql(server_url, f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY file_copy')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    from sqlalchemy.engine import make_url

    _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a database on this session's own PostgreSQL cluster (skipped only without initdb)."""
    global startup_seconds
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        message = "未找到 PostgreSQL 的 initdb/pg_ctl：请先运行 make sysdeps 安装 postgresql"
        if os.environ.get("DASHBOARD_REQUIRE_POSTGRES"):  # make test installs it: missing there is a failure
            pytest.fail(message)
        pytest.skip(message)
    t0 = time.perf_counter()
    url, stop = start_cluster(bin_dir)
    startup_seconds = time.perf_counter() - t0
    try:
        yield url
    finally:
        stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_db_url(request, tmp_path):
    """A fresh, empty state store URL on each backend (SQLite temp file; new PostgreSQL database)."""
    from state.store import close_store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
        yield url
        close_store(url)
        return
    server = request.getfixturevalue("postgres_url")
    url = fresh_database(server)
    yield url
    close_store(url)
    drop_database(server, url)
