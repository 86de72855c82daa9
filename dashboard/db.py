"""数据访问：只读 DuckDB，一个根连接，每次查询一个 cursor；SQL 全部在 queries/*.sql。

纯 Python 核心 ``QueryRunner`` 不依赖 streamlit（测试、简报生成器可直接用）；
``run_query`` 是页面用的带缓存版本，缓存键含数据库文件的 mtime+大小，重建后的库自动生效。
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


def db_path() -> Path:
    """数据库路径：环境变量 DASHBOARD_DB，默认 data/db/dashboard.duckdb。"""
    p = os.environ.get("DASHBOARD_DB")
    return Path(p) if p else DEFAULT_DB


def db_version(path: Path | None = None) -> tuple[int, int] | None:
    """数据库文件版本（mtime_ns, size）；文件不存在时为 None。"""
    path = path or db_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


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
    """对一个数据库文件执行 queries/<name>.sql；只读，一个根连接，每次查询一个 cursor。"""

    def __init__(self, path: str | Path, queries_dir: Path = QUERIES_DIR):
        self.path = Path(path)
        self.queries_dir = queries_dir
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                if not self.path.exists():
                    raise FileNotFoundError(f"数据库文件不存在：{self.path}")
                self._con = duckdb.connect(str(self.path), read_only=True)
            return self._con

    def sql(self, name: str) -> str:
        path = self.queries_dir / f"{name}.sql"
        if not path.exists():
            raise QueryError(f"找不到查询文件：queries/{name}.sql")
        return path.read_text(encoding="utf-8")

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        sql = self.sql(name)
        cur = self.connection.cursor()
        try:
            return cur.execute(sql, bind(sql, params)).df()
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


# ---------------------------------------------------------------- streamlit layer
def _st():
    import streamlit as st

    return st


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(v)
    return v


_cached_runner = None
_cached_query = None
_OPEN: dict[tuple[str, tuple[int, int]], QueryRunner] = {}
_OPEN_LOCK = threading.Lock()


def _init_caches() -> None:
    global _cached_runner, _cached_query
    if _cached_runner is not None:
        return
    st = _st()

    @st.cache_resource(max_entries=2, show_spinner=False)
    def runner(path: str, version: tuple[int, int]) -> QueryRunner:
        # Trap: DuckDB hands back the database instance it already has open for the same path,
        # so after a rebuild swapped in a new file a new connection would still read the old
        # one. Close the connections to older versions of this path first.
        with _OPEN_LOCK:
            for (p, v), old in list(_OPEN.items()):
                if p == path and v != version:
                    old.close()
                    del _OPEN[(p, v)]
            fresh = _OPEN[(path, version)] = QueryRunner(path)
        return fresh

    @st.cache_data(max_entries=512, show_spinner=False)
    def query(path: str, version: tuple[int, int], sql_version: tuple[int, int],
              name: str, params: tuple) -> pd.DataFrame:
        return runner(path, version).run(name, **dict(params))

    _cached_runner, _cached_query = runner, query


def db_exists() -> bool:
    return db_version() is not None


def get_runner() -> QueryRunner:
    """当前数据库的（缓存的）QueryRunner。"""
    _init_caches()
    path = db_path()
    version = db_version(path)
    if version is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    return _cached_runner(str(path), version)


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
