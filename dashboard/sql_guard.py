"""数据探索（即席 SQL）的语句检查：只读判定、禁用的系统函数/视图（按解析树查）、错误里的路径隐去。

``check_statement`` 只接受一条 SELECT / WITH / FROM / VALUES / DESCRIBE / SHOW / SUMMARIZE / EXPLAIN
语句（DuckDB 自己的解析器判定语句类型，EXPLAIN ANALYZE 只能跟查询）；会显示数据库文件路径的
系统函数/视图和动态 SQL（query、query_table）拒绝。执行见 dashboard/sql_console.py。
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

DB_FILE_WORD = "（数据库文件）"

ALLOWED_FIRST_WORDS = ("SELECT", "WITH", "FROM", "VALUES", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN")
# Trap: these show the attached file's absolute path (duckdb_databases().path, the allowed_paths
# setting, PRAGMA database_list's view); query()/query_table() run SQL built at run time, past
# every check here.
HIDDEN_NAMES = ("duckdb_databases", "pragma_database_list", "duckdb_settings", "pg_settings",
                "current_setting", "query", "query_table")
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


# ------------------------------------------------------------------ statement check
def _strip_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _first_word(sql: str) -> str:
    m = re.match(r"[\s(]*([A-Za-z_]+)", _strip_comments(sql))
    return m.group(1).upper() if m else ""


def _names_in_tree(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for k in ("function_name", "table_name"):
            if isinstance(node.get(k), str):
                out.add(node[k].lower())
        for v in node.values():
            _names_in_tree(v, out)
    elif isinstance(node, list):
        for v in node:
            _names_in_tree(v, out)
    return out


def _hidden_name_used(text: str) -> str | None:
    """语句里用到的 HIDDEN_NAMES 之一（解析树里的函数名、表名；解析树不可得时按文本查）。"""
    con = duckdb.connect(":memory:")
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0])
    finally:
        con.close()
    if not tree.get("error"):
        used = _names_in_tree(tree, set())
        return next((n for n in HIDDEN_NAMES if n in used), None)
    flat = re.sub(r'["`]', "", _strip_comments(text)).lower()
    for n in HIDDEN_NAMES:
        pattern = rf"\b{n}\s*\(" if n.startswith("query") else rf"\b{n}\b"
        if re.search(pattern, flat):
            return n
    return None


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
    hidden = _hidden_name_used(text)
    if hidden:
        raise ConsoleError(f"数据探索不提供 {hidden} 这个系统函数/视图（它会显示服务器上的文件位置或执行拼接的 SQL）。"
                           "请直接查询看板数据库中的表，表名见左侧“数据库结构”。")
    return text.rstrip().rstrip(";").rstrip()


# ------------------------------------------------------------------ error text
def _first_line(e: BaseException) -> str:
    msg = str(e).strip().splitlines()
    return msg[0] if msg else type(e).__name__


def hide_paths(text: str, db_file: str | Path) -> str:
    """把数据库文件的路径和所在目录换成“（数据库文件）”。"""
    p = Path(db_file)
    for s in sorted({str(p), str(p.resolve()), str(p.parent), str(p.resolve().parent)}, key=len, reverse=True):
        if len(s) > 1:
            text = text.replace(s, DB_FILE_WORD)
    return text
