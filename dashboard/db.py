"""数据访问：只读 DuckDB，一个根连接，每次查询一个 cursor；SQL 全部在 queries/*.sql。

纯 Python 核心 ``QueryRunner`` 不依赖 streamlit（测试、简报生成器可直接用）；
``live_runner`` 跟随库文件的版本（重建换入新文件后换新连接），``run_query`` 是页面用的带缓存版本，
缓存键含数据库文件的版本（mtime、大小、inode），重建后的库自动生效。
换库时正在执行的查询在旧文件上做完；此后才关闭旧连接、打开新文件；赶上关闭的查询在新文件上重试一次。
"""
from __future__ import annotations

import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_DB = PROJECT_ROOT / "data" / "db" / "dashboard.duckdb"

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(RuntimeError):
    """查询文件缺失或参数不全（中文信息）。"""


class RunnerClosed(RuntimeError):
    """这个 QueryRunner 的数据库已被换下（重建），查询应到新的 runner 上重试。"""


SWAP_WAIT_SECONDS = 30.0  # a swap waits this long for queries in flight on the old file


def db_path() -> Path:
    """数据库路径：环境变量 DASHBOARD_DB，默认 data/db/dashboard.duckdb。"""
    p = os.environ.get("DASHBOARD_DB")
    return Path(p) if p else DEFAULT_DB


def db_version(path: Path | None = None) -> tuple[int, int, int] | None:
    """数据库文件版本（mtime_ns, size, inode：重建换入的新文件 inode 不同）；文件不存在时为 None。"""
    path = path or db_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def load_sql(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"找不到查询文件：queries/{name}.sql")
    return path.read_text(encoding="utf-8")


def sql_params(sql: str) -> list[str]:
    """SQL 中引用的 $参数名（去掉注释行后），按出现顺序去重。"""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return list(dict.fromkeys(_PARAM_RE.findall(body)))


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """只传 SQL 用到的参数（DuckDB 拒绝多余参数）；缺参数时报中文错误。"""
    names = sql_params(sql)
    missing = [n for n in names if n not in params]
    if missing:
        raise QueryError("查询缺少参数：" + "、".join(missing))
    out = {}
    for n in names:
        v = params[n]
        if isinstance(v, tuple):
            v = list(v)
        out[n] = v
    return out


class QueryRunner:
    """对一个数据库文件执行 queries/<name>.sql；只读，一个根连接，每次查询一个 cursor。
    close() 等正在执行的查询做完再关连接；retire() 之后的查询报 RunnerClosed。"""

    def __init__(self, path: str | Path, queries_dir: Path = QUERIES_DIR,
                 version: tuple[int, int, int] | None = None):
        self.path = Path(path)
        self.queries_dir = queries_dir
        self.version = version
        self._con: duckdb.DuckDBPyConnection | None = None
        # Trap: DuckDB refuses ("connection is busy") a cursor() or close() on a connection while
        # another thread is inside a call on it, so both happen under this lock.
        self._cond = threading.Condition()
        self._active = 0
        self._retired = False

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self._retired:
            raise RunnerClosed(f"数据库已重建：{self.path}")
        if self._con is None:
            if not self.path.exists():
                raise FileNotFoundError(f"数据库文件不存在：{self.path}")
            self._con = duckdb.connect(str(self.path), read_only=True)
        return self._con

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._cond:
            return self._open()

    def sql(self, name: str) -> str:
        path = self.queries_dir / f"{name}.sql"
        if not path.exists():
            raise QueryError(f"找不到查询文件：queries/{name}.sql")
        return path.read_text(encoding="utf-8")

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        sql = self.sql(name)
        values = bind(sql, params)
        with self._cond:
            cur = self._open().cursor()
            self._active += 1
        try:
            return cur.execute(sql, values).df()
        finally:
            with self._cond:
                cur.close()
                self._active -= 1
                self._cond.notify_all()

    def close(self, wait: float | None = None) -> None:
        """关闭根连接：先等正在执行的查询做完（最多 wait 秒，None 为一直等）；之后的查询会重新打开。"""
        with self._cond:
            self._cond.wait_for(lambda: self._active == 0, timeout=wait)
            if self._con is not None:
                self._con.close()
                self._con = None

    def retire(self, wait: float | None = SWAP_WAIT_SECONDS) -> None:
        """数据库文件已被换掉：不再接新查询，正在执行的做完后关闭。"""
        with self._cond:
            self._retired = True
        self.close(wait)


# ---------------------------------------------------------------- the live database file
_LIVE: dict[str, QueryRunner] = {}
_LIVE_LOCK = threading.Lock()
_RETRYABLE = (RunnerClosed, duckdb.ConnectionException)  # "Connection already closed" after a forced close


def live_runner(path: Path | None = None) -> QueryRunner:
    """当前库文件版本的 QueryRunner（进程内共用）；文件换过则换下旧的。"""
    path = Path(path or db_path())
    version = db_version(path)
    if version is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    with _LIVE_LOCK:
        current = _LIVE.get(str(path))
        if current is not None and current.version == version:
            return current
        if current is not None:
            # Trap: DuckDB hands back the database instance it already has open for the same path,
            # so a new connection would still read the old file until every connection to it is
            # closed: the old runner is retired (its queries finish) before the new one opens.
            current.retire()
        others = [p for p in _LIVE if p != str(path)]
        for other in others[:-1]:  # other database files (tests, a moved DASHBOARD_DB): one kept open
            _LIVE.pop(other).retire()
        fresh = _LIVE[str(path)] = QueryRunner(path, version=version)
        return fresh


def run_live(name: str, path: Path | None = None, **params: Any) -> pd.DataFrame:
    """执行 queries/<name>.sql 于当前库文件；赶上换库的查询在新文件上重试一次。"""
    try:
        return live_runner(path).run(name, **params)
    except _RETRYABLE:
        return live_runner(path).run(name, **params)


class LiveDatabase:
    """get_runner() 的结果：run()/sql() 与 QueryRunner 相同，但总在当前库文件上执行。"""

    def __init__(self, path: Path):
        self.path = path

    def sql(self, name: str) -> str:
        return load_sql(name)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        return run_live(name, self.path, **params)


# ---------------------------------------------------------------- streamlit layer
def _st():
    import streamlit as st

    return st


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(v)
    return v


_cached_query = None


def _init_caches() -> None:
    global _cached_query
    if _cached_query is not None:
        return
    st = _st()

    @st.cache_data(max_entries=512, show_spinner=False)
    def query(path: str, version: tuple[int, int, int], sql_version: tuple[int, int],
              name: str, params: tuple) -> pd.DataFrame:
        # version is only the cache key: the query runs on the file in place now
        return run_live(name, Path(path), **dict(params))

    _cached_query = query


def db_exists() -> bool:
    return db_version() is not None


def get_runner() -> LiveDatabase:
    """当前数据库：run() 总在当前库文件上执行（重建后自动换到新文件）。"""
    path = db_path()
    if db_version(path) is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    return LiveDatabase(path)


def run_query(name: str, **params: Any) -> pd.DataFrame:
    """页面用：执行 queries/<name>.sql，结果按（库文件版本、SQL 文件版本、参数）缓存。"""
    _init_caches()
    path = db_path()
    version = db_version(path)
    if version is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    sql_file = QUERIES_DIR / f"{name}.sql"
    if not sql_file.exists():
        raise QueryError(f"找不到查询文件：queries/{name}.sql")
    s = sql_file.stat()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items()))
    return _cached_query(str(path), version, (s.st_mtime_ns, s.st_size), name, frozen).copy()


def to_date(v: Any) -> date | None:
    """DataFrame 单元格（Timestamp/date/NaT）→ date。"""
    if v is None or v is pd.NaT or (not isinstance(v, date) and pd.isna(v)):  # NaT is a datetime too
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v
