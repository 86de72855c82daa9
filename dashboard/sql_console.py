"""数据探索（即席 SQL）的非界面逻辑：语句检查、沙箱连接、限时、限行、导出、结构浏览。

安全做法（三层）：
1. 语句检查 ``check_statement``：只接受一条 SELECT / WITH / FROM / VALUES / DESCRIBE / SHOW /
   SUMMARIZE / EXPLAIN 语句（DuckDB 自己的解析器判定语句类型，EXPLAIN ANALYZE 只能跟查询）；
2. 独立的沙箱连接 ``open_sandbox``：一个内存库，只读 ATTACH 看板数据库后
   ``enable_external_access=false``（不能读写文件、ATTACH、INSTALL/LOAD、扫描 Python 变量）并
   ``lock_configuration=true``（不能再 SET/RESET/PRAGMA 改设置）；不与页面的查询连接共用；
   每次执行新开一个，数据库重建后自然读到新文件；
3. 限时 ``time_limit`` 秒（在线程里执行，到时 ``conn.interrupt()``）和限行 ``row_cap`` 行。

不依赖 streamlit，tests/test_sql_console.py 直接测试。
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import db

ROW_CAP = 10_000
TIME_LIMIT = 10.0
MEMORY_LIMIT = "1GB"
CATALOG = "dashboard"

ALLOWED_FIRST_WORDS = ("SELECT", "WITH", "FROM", "VALUES", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN")
_STMT_NAMES = {
    "INSERT": "插入数据（INSERT）", "UPDATE": "修改数据（UPDATE）", "DELETE": "删除数据（DELETE）",
    "CREATE": "建表/建视图（CREATE）", "DROP": "删除对象（DROP）", "ALTER": "修改表结构（ALTER）",
    "COPY": "导入导出文件（COPY）", "EXPORT": "导出数据库（EXPORT）", "ATTACH": "连接其他数据库（ATTACH）",
    "DETACH": "断开数据库（DETACH）", "LOAD": "安装或加载扩展（INSTALL/LOAD）", "SET": "修改设置（SET/USE/RESET）",
    "PRAGMA": "PRAGMA 设置", "CALL": "调用过程（CALL/CHECKPOINT）", "TRANSACTION": "事务语句（BEGIN/COMMIT）",
    "PREPARE": "预编译语句（PREPARE）", "EXECUTE": "执行预编译语句（EXECUTE）", "VACUUM": "VACUUM",
    "ANALYZE": "ANALYZE", "UPDATE_EXTENSIONS": "更新扩展", "MULTI": "多条语句",
}


class ConsoleError(Exception):
    """给用户看的中文错误（不含 traceback）。"""


@dataclass
class ConsoleResult:
    data: pd.DataFrame
    truncated: bool          # 结果多于 row_cap 行、只保留了前 row_cap 行
    seconds: float
    row_cap: int


# ------------------------------------------------------------------ statement check
def _strip_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _first_word(sql: str) -> str:
    m = re.match(r"[\s(]*([A-Za-z_]+)", _strip_comments(sql))
    return m.group(1).upper() if m else ""


def check_statement(sql: str) -> str:
    """只允许一条只读查询；返回去掉首尾空白和结尾分号的 SQL，否则抛 ConsoleError（中文）。"""
    text = (sql or "").strip()
    if not _strip_comments(text).strip():
        raise ConsoleError("请输入一条 SQL 查询语句（SELECT …）。")
    try:
        stmts = duckdb.extract_statements(text)
    except duckdb.Error as e:
        raise ConsoleError(f"SQL 语法错误，请检查拼写和括号。（数据库提示：{_first_line(e)}）") from None
    if len(stmts) == 0:
        raise ConsoleError("请输入一条 SQL 查询语句（SELECT …）。")
    if len(stmts) > 1:
        raise ConsoleError(f"一次只能执行一条语句，这里有 {len(stmts)} 条。请删去多余的语句（分号后的部分）。")
    stmt = stmts[0]
    kind = str(stmt.type).rsplit(".", 1)[-1]
    word = _first_word(text)
    if kind not in ("SELECT", "EXPLAIN") or word not in ALLOWED_FIRST_WORDS:
        what = _STMT_NAMES.get(kind, f"{word or kind} 语句")
        raise ConsoleError(f"数据探索只能查询数据，不能执行{what}。请只用 SELECT、WITH、DESCRIBE、SHOW、"
                           "SUMMARIZE 或 EXPLAIN 开头的一条查询。")
    if word == "EXPLAIN":
        inner = re.sub(r"^[\s(]*EXPLAIN(\s+(ANALYZE|ANALYSE))?\b", "", _strip_comments(text).strip(),
                       flags=re.I)
        if _first_word(inner) not in ALLOWED_FIRST_WORDS or _first_word(inner) == "EXPLAIN":
            raise ConsoleError("EXPLAIN 后面只能跟查询语句（SELECT …）。")
        check_statement(inner)
    return text.rstrip().rstrip(";").rstrip()


# ------------------------------------------------------------------ sandbox connection
def open_sandbox(db_file: str | Path, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """独立的只读、无外部访问的连接（内存库 + 只读 ATTACH 看板库，设置已锁定）。"""
    db_file = Path(db_file)
    if not db_file.exists():
        raise ConsoleError(f"数据库文件不存在：{db_file}。请先到“数据管理”生成数据库。")
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        path = str(db_file).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS {CATALOG} (READ_ONLY)")
        con.execute(f"USE {CATALOG}")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET temp_directory = ''")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except Exception:
        con.close()
        raise
    return con


# ------------------------------------------------------------------ errors
def _first_line(e: BaseException) -> str:
    msg = str(e).strip().splitlines()
    return msg[0] if msg else type(e).__name__


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
        head = "查询占用内存过多，已中止。请加筛选条件或 LIMIT。"
    elif isinstance(e, duckdb.ConversionException | duckdb.InvalidInputException):
        head = "数据类型转换或参数有误。"
    elif isinstance(e, duckdb.Error):
        head = "查询执行出错。"
    else:
        head = "查询执行出错（系统错误）。"
    return f"{head}（数据库提示：{detail}）"


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


def run_console(sql: str, db_file: str | Path | None = None, params: dict[str, Any] | None = None,
                row_cap: int = ROW_CAP, time_limit: float = TIME_LIMIT) -> ConsoleResult:
    """检查并执行一条查询；最多返回 row_cap 行，超过 time_limit 秒中止。错误一律为 ConsoleError。"""
    text = check_statement(sql)
    bound = bind_params(text, params or {})
    con = open_sandbox(db_file or db.db_path())
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            con.execute(text, bound) if bound else con.execute(text)
            chunks, n = [], 0
            while n <= row_cap:
                chunk = con.fetch_df_chunk(8)
                if chunk is None or len(chunk) == 0:
                    break
                chunks.append(chunk)
                n += len(chunk)
            if chunks:
                df = pd.concat(chunks, ignore_index=True)
            else:
                df = pd.DataFrame(columns=[d[0] for d in (con.description or [])])
            box["df"] = df
        except BaseException as e:  # noqa: BLE001 — reported to the user in Chinese
            box["error"] = e

    started = time.perf_counter()
    t = threading.Thread(target=work, name="sql-console", daemon=True)
    t.start()
    t.join(time_limit)
    timed_out = t.is_alive()
    if timed_out:
        con.interrupt()
        t.join(10)
    seconds = time.perf_counter() - started
    try:
        con.close()
    except duckdb.Error:
        pass
    if timed_out:
        raise ConsoleError(f"查询超过 {time_limit:g} 秒，已中止。请加筛选条件、LIMIT，或先汇总再查看明细。")
    if "error" in box:
        raise ConsoleError(friendly_error(box["error"]))
    df = box["df"]
    df.columns = _dedupe_columns(list(df.columns))
    truncated = len(df) > row_cap
    if truncated:
        df = df.iloc[:row_cap].reset_index(drop=True)
    return ConsoleResult(df, truncated, seconds, row_cap)


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


# ------------------------------------------------------------------ export
# 导出只走 reports.downloads（危险文字按文本写入、数字日期保持类型）；这里保留旧名字供调用方使用。
from reports.downloads import csv_bytes, xlsx_bytes  # noqa: E402,F401
