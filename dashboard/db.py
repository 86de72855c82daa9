"""看板的数据访问：执行查询的核心 ``QueryRunner``（只读、一个根连接、每次查询一个 cursor，SQL 全部在
queries/*.sql）在 analytics/queries.py，不依赖 streamlit（简报、测试直接用）；这里在它之上：
``live_runner`` 跟随库文件的版本（重建换入新文件后换新连接），``run_query`` 是页面用的带缓存版本，
缓存键含数据库文件的版本（mtime、大小、inode），重建后的库自动生效。
换库时正在执行的查询在旧文件上做完；此后才关闭旧连接、打开新文件；赶上关闭的查询在新文件上重试一次。
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.queries import (  # noqa: F401 — re-exported: pages, scripts and tests use db.<name>
    DEFAULT_DB,
    PROJECT_ROOT,
    QUERIES_DIR,
    SWAP_WAIT_SECONDS,
    QueryError,
    QueryRunner,
    RunnerClosed,
    bind,
    db_path,
    load_sql,
    query_names,
    sql_file,
    sql_params,
    to_date,
)
from analytics.scope import UnitScope


def db_version(path: Path | None = None) -> tuple[int, int, int] | None:
    """数据库文件版本（mtime_ns, size, inode：重建换入的新文件 inode 不同）；文件不存在时为 None。"""
    path = path or db_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


# ---------------------------------------------------------------- the live database file
_LIVE: dict[str, QueryRunner] = {}
_LIVE_LOCK = threading.Lock()
_RETRYABLE = (RunnerClosed, duckdb.ConnectionException)
RETRIES = 3  # "Connection already closed" after a forced close


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


def run_live(name: str, path: Path | None = None, scope_unit: UnitScope | None = None,
             **params: Any) -> pd.DataFrame:
    """执行 queries/<name>.sql 于当前库文件（scope_unit：只看该单位）；赶上换库的查询在新文件上重试
    （两次重建紧挨着时，重试也可能赶上下一次换库：最多 RETRIES 次）。"""
    for _ in range(RETRIES - 1):
        try:
            return live_runner(path).run_in_scope(name, scope_unit, params)
        except _RETRYABLE:
            pass
    return live_runner(path).run_in_scope(name, scope_unit, params)


class LiveDatabase:
    """get_runner() 的结果：run()/sql() 与 QueryRunner 相同，但总在当前库文件上、当前用户的数据范围内执行。"""

    def __init__(self, path: Path, scope_unit: UnitScope | None):
        self.path = path
        self.scope_unit = scope_unit

    def sql(self, name: str) -> str:
        return load_sql(name)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        return run_live(name, self.path, self.scope_unit, **params)


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
              name: str, params: tuple, scope_unit: UnitScope | None) -> pd.DataFrame:
        # version is only the cache key: the query runs on the file in place now
        return run_live(name, Path(path), scope_unit, **dict(params))

    _cached_query = query


def db_exists() -> bool:
    return db_version() is not None


def scope_unit() -> UnitScope | None:
    """当前用户的数据范围（单位账号为其单位，其他角色 None）；未登录时 PermissionError，不读数据。"""
    from dashboard import auth

    return auth.current_scope()


def get_runner(scope: str | None) -> LiveDatabase:
    """当前数据库：run() 总在当前库文件上、scope 单位（None 为全部）的数据范围内执行（重建后自动换到新文件）。"""
    path = db_path()
    if db_version(path) is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    return LiveDatabase(path, scope)


def run_query(name: str, **params: Any) -> pd.DataFrame:
    """页面用：执行 queries/<name>.sql，结果按（库文件版本、SQL 文件版本、参数、数据范围）缓存。
    数据范围取自登录的账号——看板读数据只经过这里，单位账号的每个查询都只看得到本单位。"""
    _init_caches()
    scope = scope_unit()
    path = db_path()
    version = db_version(path)
    if version is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    s = sql_file(name).stat()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items()))
    return _cached_query(str(path), version, (s.st_mtime_ns, s.st_size), name, frozen, scope).copy()
