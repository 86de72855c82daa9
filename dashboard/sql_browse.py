"""数据探索的结构浏览和保存的查询：只读沙箱连接、表/视图及列、保存的查询及其说明、侧栏筛选 → 参数值。"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import console_worker, db
from dashboard.sql_guard import ConsoleError

DUCKDB_MEMORY_LIMIT = "512MB"    # 结构浏览连接里 DuckDB 自己的上限（控制台查询的上限由 sql_console 按 MEMORY_MB 定）
MEMORY_LIMIT = DUCKDB_MEMORY_LIMIT
CATALOG = console_worker.CATALOG


# ------------------------------------------------------------------ sandbox connection
def open_sandbox(db_file: str | Path, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """独立的只读、无外部访问的连接（结构浏览用；控制台查询在子进程里打开同样的连接）。"""
    if not Path(db_file).exists():
        raise ConsoleError("数据库文件不存在。请先到“数据管理”生成数据库。")
    return console_worker.open_sandbox(db_file, memory_limit)


# ------------------------------------------------------------------ schema browser
SCHEMA_SQL = """
SELECT t.table_name, t.table_type, c.column_name, c.data_type, c.ordinal_position
FROM information_schema.tables t
JOIN information_schema.columns c
  ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_catalog = $catalog AND t.table_schema = 'main'
ORDER BY t.table_type, t.table_name, c.ordinal_position
"""


def schema(db_file: str | Path | None = None) -> pd.DataFrame:
    """看板数据库的表/视图及其列（来自 information_schema）。"""
    con = open_sandbox(db_file or db.db_path())
    try:
        return con.execute(SCHEMA_SQL, {"catalog": CATALOG}).df()
    finally:
        con.close()


# ------------------------------------------------------------------ saved queries
def saved_queries() -> list[str]:
    return db.query_names()


def saved_query(name: str) -> str:
    return db.load_sql(name)


def saved_query_title(name: str) -> str:
    """保存的查询的第一行注释（说明）。"""
    for line in saved_query(name).splitlines():
        s = line.strip()
        if s.startswith("--"):
            return s.lstrip("-").strip()
        if s:
            break
    return ""


def filter_values(f) -> dict[str, Any]:
    """当前侧栏筛选 → 保存的查询可用的参数值（$campaign_id、$as_of、$units、$categories、$channels）。"""
    if f is None:
        return {}
    p = f.params()
    years = p["as_of"].year if isinstance(p["as_of"], date) else None
    p.setdefault("survey_year", years)
    return p

