"""执行 queries/<name>.sql：只读 DuckDB，一个根连接，每次查询一个 cursor，参数绑定，返回 DataFrame。

不依赖 streamlit：会议材料（reports/）、测试、脚本直接用 ``QueryRunner``；看板（dashboard/db.py）
在它之上跟随库文件的重建换库、按库文件版本缓存结果。
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

from analytics.scope import UnitScope, restrict_to_unit

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


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def sql_file(name: str, queries_dir: Path = QUERIES_DIR) -> Path:
    """queries/<name>.sql 的路径；文件不存在时报中文错误。"""
    path = queries_dir / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"找不到查询文件：queries/{name}.sql")
    return path


def load_sql(name: str, queries_dir: Path = QUERIES_DIR) -> str:
    return sql_file(name, queries_dir).read_text(encoding="utf-8")


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
        return load_sql(name, self.queries_dir)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        return self.run_in_scope(name, None, params)

    def run_in_scope(self, name: str, scope_unit: UnitScope | str | None, params: dict[str, Any]) -> pd.DataFrame:
        """执行查询；scope_unit 不为 None 时只看得到该单位的数据（analytics/scope.py）。"""
        sql = self.sql(name)
        values = bind(sql, params)
        with self._cond:
            cur = self._open().cursor()
            self._active += 1
        try:
            if scope_unit is not None:
                restrict_to_unit(cur, scope_unit)
            return cur.execute(sql, values).df()
        finally:
            with self._cond:
                cur.close()
                self._active -= 1
                self._cond.notify_all()

    def scoped(self, scope_unit: UnitScope | str | None) -> ScopedRunner:
        """同一个库、限定到一个单位（None 为全部）的 run()/sql()。"""
        return ScopedRunner(self, scope_unit)

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


class ScopedRunner:
    """QueryRunner 限定到一个单位：会议材料、导出用它，单位账号拿到的只有本单位的数据。"""

    def __init__(self, runner: QueryRunner, scope_unit: UnitScope | str | None):
        self.runner = runner
        self.scope_unit = scope_unit

    def sql(self, name: str) -> str:
        return self.runner.sql(name)

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        return self.runner.run_in_scope(name, self.scope_unit, params)


def to_date(v: Any) -> date | None:
    """DataFrame 单元格（Timestamp/date/NaT）→ date。"""
    if v is None or v is pd.NaT or (not isinstance(v, date) and pd.isna(v)):  # NaT is a datetime too
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v
