"""数据探索控制台：三种执行方式下内存炸弹查询的进程峰值内存（ru_maxrss）和用时。

  .venv/bin/python scripts/bench_console_memory.py [数据库文件]

- inprocess：看板进程里执行（原来的做法：DuckDB memory_limit 1GB + fetch_df_chunk 限行）；
- stream：看板进程里按 Arrow 批次流式读取，超出 20 MB 字节预算即停；
- worker：sql_console.run_console（子进程，RLIMIT_DATA 1 GB，字节预算 + 单元格上限）。

每个组合在一个新进程里跑（前两种会用到几 GB 内存）。没有给数据库时用测试夹具库。
"""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOMBS = [
    "SELECT repeat('x',1000000) AS s FROM range(2000)",
    "SELECT string_agg(repeat('x',1000), ',') AS s FROM range(2000000)",
    "SELECT repeat('x', 1000000000) AS s",
    "SELECT list(repeat('x',100000)) AS l FROM range(20000)",
    "SELECT a.range AS i, repeat('y', 10000) AS s FROM range(100000) a, range(10) b",
]
CODE = """
import json, resource, sys
sys.path.insert(0, {root!r})
from dashboard import console_worker, sql_console as sc
mode, sql, db = {mode!r}, {sql!r}, {db!r}
out = ""
try:
    if mode == "inprocess":
        con = console_worker.open_sandbox(db, "1GB")
        con.execute(sql)
        n = 0
        while n <= sc.ROW_CAP:
            chunk = con.fetch_df_chunk(8)
            if chunk is None or len(chunk) == 0:
                break
            n += len(chunk)
        out = f"{{n}} 行"
    elif mode == "stream":
        con = console_worker.open_sandbox(db, "1GB")
        table, info = console_worker.fetch_bounded(con.sql(sql).to_arrow_reader(1024), sc.ROW_CAP,
                                                   sc.BYTE_BUDGET, 10**12)
        out = f"{{table.num_rows}} 行" + ("（超出字节预算）" if info["bytes_truncated"] else "")
    else:
        r = sc.run_console(sql, db)
        out = f"{{len(r.data)}} 行 " + " ".join(r.notices)
except Exception as e:
    out = str(e).splitlines()[0]
ru = resource.getrusage
peak = max(ru(resource.RUSAGE_SELF).ru_maxrss, ru(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({{"peak_mb": peak, "out": out[:70]}}, ensure_ascii=False))
"""


def main() -> None:
    if len(sys.argv) > 1:
        db = Path(sys.argv[1])
    else:
        sys.path.insert(0, str(ROOT))
        from tests.fixtures.fixture_db import build_fixture_db

        db = build_fixture_db(Path(tempfile.mkdtemp()) / "fixture.duckdb")
    print(f"{'方式':10s} {'峰值MB':>8s} {'秒':>5s}  查询 → 结果")
    for sql in BOMBS:
        for mode in ("inprocess", "stream", "worker"):
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", CODE.format(root=str(ROOT), mode=mode, sql=sql, db=str(db))],
                               capture_output=True, text=True, timeout=300)
            sec = time.perf_counter() - t0
            try:
                r = json.loads(p.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                r = {"peak_mb": float("nan"), "out": f"进程异常退出（{p.returncode}）"}
            print(f"{mode:10s} {r['peak_mb']:8.0f} {sec:5.1f}  {sql[:60]} → {r['out']}")


if __name__ == "__main__":
    main()
