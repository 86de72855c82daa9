"""数据探索（即席 SQL）的非界面逻辑：语句检查、查询子进程、限时、限行、限字节、导出、结构浏览。

安全做法：
1. 语句检查 ``check_statement``：只接受一条 SELECT / WITH / FROM / VALUES / DESCRIBE / SHOW /
   SUMMARIZE / EXPLAIN 语句（DuckDB 自己的解析器判定语句类型，EXPLAIN ANALYZE 只能跟查询）；
   会显示数据库文件路径的系统函数/视图和动态 SQL（query、query_table）拒绝（按解析树里的名字查）；
2. 沙箱连接 ``open_sandbox``（dashboard/console_worker.py）：一个内存库，只读 ATTACH 看板数据库后
   ``enable_external_access=false``（不能读写文件、ATTACH、INSTALL/LOAD、扫描 Python 变量）并
   ``lock_configuration=true``（不能再 SET/RESET/PRAGMA 改设置）；
3. 每条查询在一个子进程里执行（console_worker）：操作系统内存上限 ``MEMORY_MB``（RLIMIT_DATA）、
   限时 ``TIME_LIMIT`` 秒、最多 ``ROW_CAP`` 行和 ``BYTE_BUDGET`` 字节、单元格最多 ``CELL_CAP`` 字；
   子进程超限只死它自己。每个会话同时只跑一条，全服务器同时最多 ``MAX_WORKERS`` 条。

语句检查在 dashboard/sql_guard.py，结构浏览和保存的查询在 dashboard/sql_browse.py；这里的名字
（包括那两个模块的）照旧都可从 dashboard.sql_console 导入。
不依赖 streamlit，tests/test_sql_console.py、tests/test_console_limits.py 直接测试。
"""
from __future__ import annotations

import json
import pickle
import re
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import db

# Re-exported: pages/explore.py, tests and bench import all of these from dashboard.sql_console.
from dashboard.sql_browse import (  # noqa: F401
    CATALOG,
    DUCKDB_MEMORY_LIMIT,
    MEMORY_LIMIT,
    SCHEMA_SQL,
    filter_values,
    open_sandbox,
    saved_queries,
    saved_query,
    saved_query_title,
    schema,
)
from dashboard.sql_guard import (  # noqa: F401
    ALLOWED_FIRST_WORDS,
    DB_FILE_WORD,
    HIDDEN_NAMES,
    ConsoleError,
    _first_line,
    _first_word,
    check_statement,
    hide_paths,
)

ROW_CAP = 10_000
TIME_LIMIT = 10.0
BYTE_BUDGET = 20 << 20           # 结果最多 20 MB（Arrow 字节数）
CELL_CAP = 10_000                # 单元格最多 1 万字
MEMORY_MB = 1024                 # 查询子进程的数据段上限
MAX_WORKERS = 2                  # 全服务器同时执行的控制台查询
WORKER_WAIT = 5.0                # 等空闲名额的秒数
KILL_GRACE = 5.0                 # 子进程启动和收尾的宽限；超过 time_limit + 它就强行结束


@dataclass
class ConsoleResult:
    data: pd.DataFrame
    truncated: bool          # 结果多于 row_cap 行、只保留了前 row_cap 行
    seconds: float
    row_cap: int
    bytes_truncated: bool = False   # 结果超过 byte_budget 字节，只保留了前面的行
    cells_cut: int = 0              # 超过 cell_cap 被截断（列表等置空）的单元格数
    byte_budget: int = BYTE_BUDGET
    cell_cap: int = CELL_CAP
    notices: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ errors
def friendly_error(e: BaseException) -> str:
    """DuckDB 异常 → 一句中文说明（附数据库原始提示的第一行）。"""
    detail = _first_line(e)
    if isinstance(e, duckdb.PermissionException) or "disabled by configuration" in detail \
            or "external access" in detail.lower():
        head = "出于安全考虑，数据探索不能读写文件、连接其他数据库或安装加载扩展，只能查询看板数据库中的表。"
    elif "configuration has been locked" in detail:
        head = "数据探索不能修改数据库设置（SET、RESET、PRAGMA 等）。"
    elif isinstance(e, duckdb.InterruptException):
        head = "查询已被中止。"
    elif isinstance(e, duckdb.ParserException):
        head = "SQL 语法错误，请检查拼写、逗号和括号。"
    elif isinstance(e, duckdb.CatalogException):
        head = "找不到查询中的表、视图或函数。可在左侧“数据库结构”里查看表名和列名。"
    elif isinstance(e, duckdb.BinderException):
        head = "查询中的列名或写法有误（列不存在、分组不对或类型不匹配）。"
    elif isinstance(e, duckdb.OutOfMemoryException):
        head = memory_message()
    elif isinstance(e, duckdb.ConversionException | duckdb.InvalidInputException):
        head = "数据类型转换或参数有误。"
    elif isinstance(e, duckdb.Error):
        head = "查询执行出错。"
    else:
        head = "查询执行出错（系统错误）。"
    return f"{head}（数据库提示：{detail}）"


def memory_message(memory_mb: int = MEMORY_MB) -> str:
    return (f"查询占用内存超过 {memory_mb:,} MB，已中止。请缩小查询：加筛选条件或 LIMIT，"
            "不要生成很长的文本或很大的列表。")


# ------------------------------------------------------------------ parameters
def sql_params(sql: str) -> list[str]:
    """SQL 中的 $参数名（保存的查询用 $campaign_id 等）。"""
    return db.sql_params(sql)


def bind_params(sql: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """按 SQL 用到的 $参数 取值；缺参数时抛中文错误；没有参数时返回 None。"""
    names = sql_params(sql)
    if not names:
        return None
    missing = [n for n in names if n not in values or values[n] is None or values[n] == ""]
    if missing:
        raise ConsoleError("查询里的参数没有取值：" + "、".join(f"${n}" for n in missing)
                           + "。请在下方参数框中填写，或把 $参数 换成具体的值。")
    return {n: (list(values[n]) if isinstance(values[n], tuple) else values[n]) for n in names}


# ------------------------------------------------------------------ one query at a time
_BUSY: set[str] = set()
_BUSY_LOCK = threading.Lock()
_WORKERS = threading.BoundedSemaphore(MAX_WORKERS)


@contextmanager
def _session_slot(session: str | None):
    if session is None:
        yield
        return
    with _BUSY_LOCK:
        if session in _BUSY:
            raise ConsoleError("上一条查询还在执行。请等它结束（最长 "
                               f"{TIME_LIMIT:g} 秒）后再执行新的查询。")
        _BUSY.add(session)
    try:
        yield
    finally:
        with _BUSY_LOCK:
            _BUSY.discard(session)


@contextmanager
def _worker_slot(wait: float):
    if not _WORKERS.acquire(timeout=wait):
        raise ConsoleError(f"服务器上已有 {MAX_WORKERS} 条数据探索查询在执行，请稍后再试。")
    try:
        yield
    finally:
        _WORKERS.release()


# ------------------------------------------------------------------ execution
def _dedupe_columns(cols: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in cols:
        c = str(c)
        if c in seen:
            seen[c] += 1
            out.append(f"{c}_{seen[c]}")
        else:
            seen[c] = 1
            out.append(c)
    return out


def _run_worker(req: dict, time_limit: float) -> tuple[dict, pa.Table | None]:
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.console_worker"], cwd=db.PROJECT_ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(pickle.dumps(req), timeout=time_limit + KILL_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"timeout": True}, None
    if len(out) < 4:
        # killed by the OS memory limit (allocation failure aborts the process) or crashed
        return {"error": "OutOfMemoryException", "detail": f"worker exit {proc.returncode}"}, None
    (n,) = struct.unpack("<I", out[:4])
    header = json.loads(out[4:4 + n])
    table = pa.ipc.open_stream(out[4 + n:]).read_all() if len(out) > 4 + n else None
    return header, table


def _to_pandas(table: pa.Table | None) -> pd.DataFrame:
    """Arrow → pandas by DuckDB's own conversion, so the frame has the types an in-process
    ``.df()`` gives (dates as datetime64, decimals as float, booleans nullable)."""
    if table is None or table.num_columns == 0:
        return pd.DataFrame()
    con = duckdb.connect(":memory:")
    try:
        return con.from_arrow(table).df()
    finally:
        con.close()


def _notices(info: dict, row_cap: int, byte_budget: int, cell_cap: int) -> list[str]:
    notes = []
    if info.get("bytes_truncated"):
        notes.append(f"结果超过 {byte_budget / (1 << 20):g} MB，已截断，只显示和导出前面的行。"
                     "请缩小查询：少选列、加筛选条件或 LIMIT。")
    if info.get("rows_truncated"):
        notes.append(f"结果超过 {row_cap:,} 行，只显示和导出前 {row_cap:,} 行。请加筛选条件、GROUP BY 汇总或 LIMIT。")
    if info.get("cells_cut"):
        notes.append(f"有 {info['cells_cut']:,} 个单元格超过 {cell_cap:,} 字，已截断（文本末尾标“…（已截断）”，"
                     "列表等其他类型置空）。")
    return notes


def run_console(sql: str, db_file: str | Path | None = None, params: dict[str, Any] | None = None,
                row_cap: int = ROW_CAP, time_limit: float = TIME_LIMIT, *, byte_budget: int = BYTE_BUDGET,
                cell_cap: int = CELL_CAP, memory_mb: int = MEMORY_MB, session: str | None = None) -> ConsoleResult:
    """检查并在子进程里执行一条查询（限内存、限时、限行、限字节、限单元格）。错误一律为 ConsoleError。

    session：会话标识；同一会话上一条查询未结束时拒绝新的查询。"""
    text = check_statement(sql)
    bound = bind_params(text, params or {})
    db_file = Path(db_file or db.db_path())
    if not db_file.exists():
        raise ConsoleError("数据库文件不存在。请先到“数据管理”生成数据库。")
    req = {"sql": text, "params": bound, "db_file": str(db_file.resolve()), "row_cap": row_cap,
           "byte_budget": byte_budget, "cell_cap": cell_cap, "time_limit": time_limit,
           "memory_mb": memory_mb, "duckdb_memory_limit": f"{max(64, memory_mb // 2)}MB", "threads": 1,
           "nice": 5}
    started = time.perf_counter()
    with _session_slot(session), _worker_slot(WORKER_WAIT):
        header, table = _run_worker(req, time_limit)
    seconds = time.perf_counter() - started
    if header.get("timeout"):
        raise ConsoleError(f"查询超过 {time_limit:g} 秒，已中止。请加筛选条件、LIMIT，或先汇总再查看明细。")
    if "error" in header:
        if header["error"] in ("OutOfMemoryException", "MemoryError"):
            raise ConsoleError(memory_message(memory_mb))
        err_type = getattr(duckdb, header["error"], None)
        err = err_type(header["detail"]) if isinstance(err_type, type) and issubclass(err_type, Exception) \
            else RuntimeError(header["detail"])
        raise ConsoleError(hide_paths(friendly_error(err), db_file))
    df = _to_pandas(table)
    df.columns = _dedupe_columns(list(df.columns))
    return ConsoleResult(df, bool(header["rows_truncated"]), seconds, row_cap,
                         bytes_truncated=bool(header["bytes_truncated"]), cells_cut=int(header["cells_cut"]),
                         byte_budget=byte_budget, cell_cap=cell_cap,
                         notices=_notices(header, row_cap, byte_budget, cell_cap))


# ------------------------------------------------------------------ export
# 导出只走 reports.downloads（危险文字按文本写入、数字日期保持类型）；这里保留旧名字供调用方使用。
from reports.downloads import csv_bytes, xlsx_bytes  # noqa: E402,F401

# ------------------------------------------------------------------ which campaigns a result covers
_FILTER_KEYS = ("where_clause", "condition", "having", "qualify")
_CHINESE_COUNT = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


def _parse_tree(sql: str) -> dict | None:
    con = duckdb.connect(":memory:")
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    except duckdb.Error:
        return None
    finally:
        con.close()
    return None if tree.get("error") else tree


def _mentions_campaign(node: Any) -> bool:
    """子树里有 campaign_id 列或 $campaign_id 参数。"""
    if isinstance(node, dict):
        if node.get("class") == "COLUMN_REF" and (node.get("column_names") or [""])[-1].lower() == "campaign_id":
            return True
        if node.get("class") == "PARAMETER" and str(node.get("identifier", "")).lower() == "campaign_id":
            return True
        return any(_mentions_campaign(v) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_campaign(v) for v in node)
    return False


def _filters_campaign(node: Any) -> bool:
    """查询的 WHERE / JOIN … ON / HAVING / QUALIFY 里用到了 campaign_id（按专项整治筛选或关联）。"""
    if isinstance(node, dict):
        return any((k in _FILTER_KEYS and _mentions_campaign(v)) or _filters_campaign(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_filters_campaign(v) for v in node)
    return False


def _tables_used(sql: str, tree: dict | None, tables: set[str]) -> set[str]:
    if tree is not None:
        found: set[str] = set()

        def walk(n):
            if isinstance(n, dict):
                if n.get("type") == "BASE_TABLE" and isinstance(n.get("table_name"), str):
                    found.add(n["table_name"].lower())
                for v in n.values():
                    walk(v)
            elif isinstance(n, list):
                for v in n:
                    walk(v)
        walk(tree)
        return found & tables
    words = set(re.findall(r"[a-z_][a-z0-9_]*", re.sub(r"'[^']*'", " ", sql.lower())))   # DESCRIBE/SHOW …
    return words & tables


def _count_word(n: int) -> str:
    return f"{_CHINESE_COUNT.get(n, n)}个"


def campaign_scope(sql: str, result: pd.DataFrame | None, campaign_tables: set[str],
                   campaigns: dict[str, str], present: Callable[[set[str]], list[str]],
                   selected: str | None = None) -> str | None:
    """一句话说明查询结果包含哪些专项整治的数据；查询没用到带 campaign_id 的表时为 None。

    campaign_tables：带 campaign_id 列的表；campaigns：编号 → 名称（按侧栏顺序）；present(tables)：这些表里有
    数据的专项整治编号；selected：侧栏所选（$campaign_id 的取值）。
    结果有 campaign_id 列时按结果说；否则看查询是否按 campaign_id 筛选（WHERE / JOIN … ON / HAVING）。"""
    if _first_word(sql) in ("DESCRIBE", "SHOW", "EXPLAIN"):   # 结构或查询计划，不是数据
        return None
    tree = _parse_tree(sql)
    used = _tables_used(sql, tree, {t.lower() for t in campaign_tables})
    if not used:
        return None

    def names(ids):
        return "、".join(campaigns.get(i, i) for i in ids)

    if result is not None and "campaign_id" in result.columns:
        have = set(result["campaign_id"].dropna().astype(str))
        ids = [i for i in campaigns if i in have] + sorted(have - set(campaigns))
        if len(ids) > 1:
            return f"结果包含 {names(ids)} {_count_word(len(ids))}专项整治的数据（见 campaign_id 列）。"
        return f"结果只含 {names(ids)} 的数据。" if ids else None
    if tree is not None and _filters_campaign(tree):
        if re.search(r"\$campaign_id\b", sql) and selected:
            return f"本查询按侧栏所选的专项整治筛选：{names([selected])}。"
        literal = [i for i in campaigns if re.search(rf"'{re.escape(i)}'", sql)]
        return f"本查询按专项整治筛选：{names(literal)}。" if literal else "本查询按 campaign_id 筛选或关联专项整治。"
    ids = [i for i in campaigns if i in set(present(used))]
    if len(ids) > 1:
        return (f"本查询未按专项整治筛选：结果包含 {names(ids)} {_count_word(len(ids))}专项整治的数据。"
                "只看侧栏所选的一个，可加条件 WHERE campaign_id = $campaign_id。")
    return f"本查询未按专项整治筛选；所查的表里只有 {names(ids)} 的数据。" if ids else None


def campaigns_present(db_file: str | Path, tables: set[str]) -> list[str]:
    """这些表里有数据的专项整治编号（表名来自数据库结构，不是用户输入）。"""
    con = open_sandbox(db_file)
    try:
        ids: set[str] = set()
        for t in sorted(tables):
            ids |= {r[0] for r in con.execute(f'SELECT DISTINCT campaign_id FROM "{t}"').fetchall()}
        return sorted(i for i in ids if i is not None)
    finally:
        con.close()
