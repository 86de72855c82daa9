"""数据探索控制台的查询子进程：一条查询一个进程，操作系统内存上限、限时、限行、限字节、限单元格。

为什么要子进程（scripts/bench_console_memory.py 的实测）：DuckDB 的 memory_limit 管不住正在
计算的向量和物化的结果——``SELECT repeat('x',1000000) FROM range(2000)`` 一个 2048 行的向量就是
2 GB，在看板进程里执行时峰值 6.9 GB；按 Arrow 批次流式读取、超出字节预算即停，仍有 2–3 GB
（单个向量、单个 1 GB 的单元格在读取之前就已算出）。只有把查询放进一个有 RLIMIT_DATA 的进程，
超限时只死这个子进程，看板进程和其他会话不受影响。

协议：父进程（dashboard/sql_console.py）经 stdin 传一个 pickle 的请求字典；本进程向 stdout 写
4 字节长度 + JSON 头（成功时含截断信息，失败时含 DuckDB 异常类名和第一行提示），成功时再跟
Arrow IPC 流。只依赖 duckdb 和 pyarrow（不导入 pandas，启动快、占内存少）。
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import struct
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

CATALOG = "dashboard"
DUCKDB_MEMORY_LIMIT = "512MB"
CUT_MARK = "…（已截断）"
BATCH_ROWS = 1024


def open_sandbox(db_file: str | Path, memory_limit: str = DUCKDB_MEMORY_LIMIT,
                 threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """独立的只读、无外部访问的连接（内存库 + 只读 ATTACH 看板库，设置已锁定）。"""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        path = str(db_file).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS {CATALOG} (READ_ONLY)")
        con.execute(f"USE {CATALOG}")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET temp_directory = ''")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except Exception:
        con.close()
        raise
    return con


# ------------------------------------------------------------------ cell and byte caps
def _null_where(arr: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(mask, pa.scalar(None, type=arr.type), arr)


def cap_cells(batch: pa.RecordBatch, cell_cap: int) -> tuple[pa.RecordBatch, int]:
    """文本/二进制单元格超过 cell_cap 个字符（字节）时截断并加“…（已截断）”；其他类型（列表、结构）
    的单元格超过 cell_cap 字节时置空。返回新批次和被截断/置空的单元格数。"""
    cols, cut = [], 0
    for arr in batch.columns:
        if arr.nbytes <= cell_cap:                      # no cell can exceed the cap
            cols.append(arr)
            continue
        t = arr.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            over = pc.fill_null(pc.greater(pc.utf8_length(arr), cell_cap), False)
            n = pc.sum(over).as_py() or 0
            if n:
                short = pc.binary_join_element_wise(pc.utf8_slice_codeunits(arr, 0, cell_cap), CUT_MARK, "")
                arr = pc.if_else(over, short, arr)
        elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
            over = pc.fill_null(pc.greater(pc.binary_length(arr), cell_cap), False)
            n = pc.sum(over).as_py() or 0
            if n:
                arr = pc.if_else(over, pc.binary_slice(arr, 0, cell_cap), arr)
        else:
            over = pa.array([arr.slice(i, 1).nbytes > cell_cap for i in range(len(arr))])
            n = pc.sum(over).as_py() or 0
            if n:
                arr = _null_where(arr, over)
        cut += n
        cols.append(arr)
    return pa.RecordBatch.from_arrays(cols, schema=batch.schema), cut


def _rows_within(batch: pa.RecordBatch, budget: int) -> int:
    """批次开头最多多少行的字节数不超过 budget（二分）。"""
    lo, hi = 0, batch.num_rows
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if batch.slice(0, mid).nbytes <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def fetch_bounded(reader, row_cap: int, byte_budget: int, cell_cap: int) -> tuple[pa.Table, dict]:
    """从 Arrow 读取器取结果：最多 row_cap 行、byte_budget 字节，单元格按 cell_cap 截断。"""
    batches: list[pa.RecordBatch] = []
    rows = size = cut = 0
    info = {"rows_truncated": False, "bytes_truncated": False}
    for batch in reader:
        batch, n = cap_cells(batch, cell_cap)
        cut += n
        if rows + batch.num_rows > row_cap:
            batch = batch.slice(0, row_cap - rows)
            info["rows_truncated"] = True
        if size + batch.nbytes > byte_budget:
            batch = batch.slice(0, _rows_within(batch, byte_budget - size))
            info["bytes_truncated"] = True
        batches.append(batch)
        rows += batch.num_rows
        size += batch.nbytes
        if info["rows_truncated"] or info["bytes_truncated"]:
            break
    info.update(cells_cut=cut, bytes=size)
    return pa.Table.from_batches(batches, schema=reader.schema), info


# ------------------------------------------------------------------ process entry
def limit_memory(mb: int) -> None:
    """本进程的数据段（堆 + 匿名映射）上限；超出时分配失败，DuckDB 报内存不足或进程退出。"""
    resource.setrlimit(resource.RLIMIT_DATA, (mb << 20, mb << 20))


def run_request(req: dict) -> tuple[dict, pa.Table | None]:
    db_fd = os.open(req["db_file"], os.O_RDONLY)  # fails early with a clean error if missing
    os.close(db_fd)
    os.chdir("/")                                # error messages name files relative to the cwd
    con = open_sandbox(req["db_file"], req["duckdb_memory_limit"], threads=req.get("threads"))
    timer = threading.Timer(req["time_limit"], con.interrupt)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        rel = con.sql(req["sql"], params=req["params"]) if req["params"] else con.sql(req["sql"])
        if rel is None:
            table, info = pa.table({}), {"rows_truncated": False, "bytes_truncated": False, "cells_cut": 0}
        else:
            table, info = fetch_bounded(rel.to_arrow_reader(BATCH_ROWS), req["row_cap"],
                                        req["byte_budget"], req["cell_cap"])
    except duckdb.InterruptException:
        return {"timeout": True}, None
    finally:
        timer.cancel()
    info["seconds"] = time.perf_counter() - started
    return info, table


def _write(out, header: dict, table: pa.Table | None) -> None:
    head = json.dumps(header, ensure_ascii=False).encode()
    out.write(struct.pack("<I", len(head)) + head)
    if table is not None:
        with pa.ipc.new_stream(out, table.schema) as w:
            w.write_table(table)
    out.flush()


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0][:300] if lines else ""


def _error_kind(e: BaseException) -> str:
    # Trap: an allocation failure in DuckDB's Arrow export arrives as a plain OSError
    # ("Out of Memory Error: ArrowBuffer: failed to allocate …").
    if isinstance(e, MemoryError) or "out of memory" in str(e).lower():
        return "OutOfMemoryException"
    return type(e).__name__


def main() -> int:
    req = pickle.loads(sys.stdin.buffer.read())
    try:
        os.nice(req.get("nice", 0))
    except OSError:
        pass
    limit_memory(req["memory_mb"])
    out = sys.stdout.buffer
    try:
        header, table = run_request(req)
    except FileNotFoundError:
        header, table = {"error": "FileNotFoundError", "detail": ""}, None
    except Exception as e:  # noqa: BLE001 — DuckDB errors; pyarrow/OS errors are mostly failed allocations
        header, table = {"error": _error_kind(e), "detail": _first_line(e)}, None
    _write(out, header, table)
    return 0


if __name__ == "__main__":
    code = main()
    # Trap: a normal interpreter exit tears down DuckDB's worker threads and aborts the process
    # ("exception not rethrown", SIGABRT); the answer is already written, leave at once.
    os._exit(code)
