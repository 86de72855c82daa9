"""Write a complete new DuckDB file and swap it in; a failed build leaves the old file untouched.

Temp files are named <db>.tmp-<pid>-<random>, so two writers never share one; a killed build's temp
files (and their .wal) are removed by the next build unless a live process still holds them.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from etl.collected import Collected, arrow_schema, records_table
from etl.config import Campaign

SQL_DIR = Path(__file__).resolve().parent / "sql"
SCHEMA = Path(__file__).resolve().parent / "schema.sql"
RECORD_TABLES = {"leads": "线索登记", "ledger_snapshots": "整改台账", "survey_responses": "满意度测评",
                 "survey_unit_scores": "满意度汇总"}


class BuildRefused(RuntimeError):
    """The build did not swap in a new database (Chinese message saying why and what to do)."""


class HeldLock:
    """The build lock while held; hand_over() moves its release to the caller (e.g. a thread that finishes
    the build's cache after the new database is in place)."""

    def __init__(self, release: Callable[[], None]):
        self._release = release
        self.handed_over = False

    def hand_over(self) -> Callable[[], None]:
        self.handed_over = True
        return self._release


@contextlib.contextmanager
def build_lock(db_path: Path, timeout: float) -> Iterator[HeldLock]:
    """One build at a time per database: an flock on <db>.lock, waited for up to timeout seconds;
    the file is removed when the build ends (or when the one it was handed over to releases it)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    path = Path(f"{db_path}.lock")
    deadline = time.monotonic() + timeout
    while True:
        lock = open(path, "a")  # noqa: SIM115 — held until the build ends
        if not _wait_for_flock(lock, deadline):
            lock.close()
            raise BuildRefused(f"另一个重建正在进行（已等待 {timeout:g} 秒），本次未重建，数据库未改动；请等它完成后再试")
        # Trap: the build before us removed the file it locked; a lock on a removed file locks nothing.
        if path.exists() and os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
            break
        lock.close()

    def release() -> None:
        path.unlink(missing_ok=True)  # removed while still locked: waiters on it see it is gone
        lock.close()

    held = HeldLock(release)
    try:
        yield held
    finally:
        if not held.handed_over:
            release()


def _wait_for_flock(lock, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def existing_records(db_path: Path) -> dict[str, int]:
    """Records per kind label in the database now in place (empty when none or unreadable)."""
    if not db_path.is_file():
        return {}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            counts = {label: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table, label in RECORD_TABLES.items()}
    except duckdb.Error:
        return {}
    return {label: n for label, n in counts.items() if n}

def _config_rows(campaigns: list[Campaign]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {k: [] for k in ("campaigns", "stages", "report_due_dates", "units", "categories")}
    for c in campaigns:
        rows["campaigns"].append({
            "campaign_id": c.id, "name": c.name, "short_name": c.short_name, "doc_number": c.doc_number,
            "issuer": c.issuer, "office": c.office, "region_label": c.region_label,
            "start_date": c.start_date, "end_date": c.end_date,
            "lead_working_days": c.lead_working_days, "min_items": c.min_items,
            "survey_low_score_below": c.survey.low_score_below,
            "survey_low_rank_bottom": c.survey.low_rank_bottom,
            "survey_min_responses": c.survey.min_responses,
            "weekly_report_weekday": c.reporting.weekly_report_weekday,
            "monthly_brief_day": c.reporting.monthly_brief_day, "grace_days": c.reporting.grace_days,
            "compare_with": c.reporting.compare_with,
        })
        rows["stages"] += [{"campaign_id": c.id, "stage_no": i, "name": s.name, "start_date": s.start,
                            "deadline": s.deadline, "long_term": s.long_term}
                           for i, s in enumerate(c.stages, 1)]
        rows["report_due_dates"] += [{"campaign_id": c.id, "due_date": d} for d in c.reporting.ledger_due_dates]
        rows["units"] += [{"campaign_id": c.id, "unit_id": u.id, "name": u.name, "kind": u.kind, "sort_order": i}
                          for i, u in enumerate(c.units, 1)]
        rows["categories"] += [{"campaign_id": c.id, "category": cat.name, "category_no": i,
                                "manifestation_code": m.code, "manifestation": m.name}
                               for i, cat in enumerate(c.categories, 1) for m in cat.manifestations]
    return rows


def config_digest(campaigns: list[Campaign]) -> str:
    """A digest of the configuration tables' rows (build_info config: an update in place that finds it equal
    leaves the tables as they are)."""
    return stored_digest(hashlib.sha256(repr(_config_rows(campaigns)).encode()))


def write_config(con: duckdb.DuckDBPyConnection, campaigns: list[Campaign]) -> None:
    """The campaigns' configuration tables (campaigns, stages, report_due_dates, units, categories), emptied and
    written again."""
    for table, rows in _config_rows(campaigns).items():
        con.execute(f"DELETE FROM {table}")
        _insert(con, table, rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if rows:
        insert_arrow(con, table, pa.Table.from_pylist(rows, schema=arrow_schema(table)))


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, incoming: pa.Table,
                 dropped: dict[tuple[str, int], tuple[str, int]] | None = None, sort: bool = True) -> None:
    """sort: stored in one total order (ORDER BY every column); else in the order given — the record
    tables, whose sort cost 6× their insert (8 s for a million leads) while every query orders what it
    shows. Rows found to be duplicates (dropped: submission_id, source_row) stay out."""
    con.register("incoming", incoming)
    source = "incoming"
    if dropped:
        con.register("dropped", pa.table({"submission_id": pa.array([d[0] for d in dropped], pa.string()),
                                          "source_row": pa.array([d[1] for d in dropped], pa.int32())}))
        source = "incoming ANTI JOIN dropped USING (submission_id, source_row)"
    con.execute(f"INSERT INTO {table} SELECT * FROM {source}" + (" ORDER BY ALL" if sort else ""))
    con.unregister("incoming")
    if dropped:
        con.unregister("dropped")


# The tables precompute.sql derives from each record table and from nothing else (its SQL reads only these
# sources and views.sql's macros over them). When a source's content and the SQL are those of the database in
# place, its derived tables are copied from there instead of computed again: an added ledger leaves the lead
# and survey tables as they were (national: ~3 s of lead_unit_periods and the rest).
DERIVED_FROM = {
    "ledger_snapshots": ("problem_periods",),
    "leads": ("repeat_complainant_keys", "repeat_complainant_leads", "lead_unit_periods", "lead_overdue_spans"),
    "survey_responses": ("survey_response_scores", "survey_unit_year_scores", "survey_dimension_scores"),
}
_DERIVED_SQL = ("views.sql", "reset_relapse.sql", "derive_relapse.sql", "precompute.sql")
_TARGET = re.compile(r"\s*(?:--[^\n]*\n\s*)*(?:DELETE\s+FROM|INSERT\s+INTO)\s+(\w+)", re.IGNORECASE)


def stored_digest(h) -> str:
    """A SHA-256 as stored in build_info: base32, lowercase. Trap: hex digests carry runs of decimal digits, and
    one of them read as a mobile number (1[3-9] + 9 digits) in the personal-data scan; base32 has no 0, 1, 8, 9."""
    return base64.b32encode(h.digest()).decode("ascii").rstrip("=").lower()


def derived_keys(con: duckdb.DuckDBPyConnection, sources=DERIVED_FROM) -> dict[str, str]:
    """Per source table: a digest of its rows (order-free: count and sum of row hashes) and of the SQL that
    derives from it. Computed before derive_relapse.sql updates ledger_snapshots."""
    code = hashlib.sha256(SCHEMA.read_bytes() + b"".join((SQL_DIR / n).read_bytes() for n in _DERIVED_SQL)).hexdigest()
    keys = {}
    for source in sources:
        (rows, total), = con.execute(f"SELECT count(*), sum(hash(t)) FROM {source} AS t").fetchall()
        keys[source] = stored_digest(hashlib.sha256(f"{code}|{rows}|{total}".encode()))
    return keys


def _reuse_derived(con: duckdb.DuckDBPyConnection, db_path: Path, keys: dict[str, str]) -> set[str]:
    """Copy into con the derived tables of the database in place whose source key equals this build's;
    returns their names (none when there is no such database or it cannot be read)."""
    if not db_path.is_file():
        return set()
    try:
        con.execute("ATTACH ? AS in_place (READ_ONLY)", [str(db_path)])
    except duckdb.Error:
        return set()
    try:
        stored = dict(con.execute("SELECT key, value FROM in_place.build_info WHERE key LIKE 'derived:%'").fetchall())
        reused = {table for source, tables in DERIVED_FROM.items() if stored.get(f"derived:{source}") == keys[source]
                  for table in tables}
        for table in sorted(reused):
            con.execute(f"INSERT INTO {table} SELECT * FROM in_place.{table}")  # (in the order stored there)
        return reused
    except duckdb.Error:
        return set()  # (precompute.sql empties each table before filling it: a partial copy does not stay)
    finally:
        con.execute("DETACH in_place")


def _run_skipping(con: duckdb.DuckDBPyConnection, sql: str, skipped: set[str]) -> None:
    """Every statement but those that empty or fill a table in skipped."""
    for statement in con.extract_statements(sql):
        target = _TARGET.match(statement.query)
        if target is None or target.group(1) not in skipped:
            con.execute(statement)


def collected_tables(result) -> list[Collected]:
    """Every validated table the build holds (ledger, leads, survey, survey_scores …)."""
    return [v for v in vars(result).values() if isinstance(v, Collected)]


def _fingerprint(campaigns: list[Campaign], file_shas: set[str]) -> str:
    h = hashlib.sha256()
    for c in sorted(campaigns, key=lambda c: c.id):
        h.update(c.source.read_bytes() if c.source.is_file() else c.id.encode())
    for sha in sorted(file_shas):
        h.update(sha.encode())
    return stored_digest(h)


def duplicate_rows_table(result) -> pa.Table:
    """The rows the build dropped as duplicates, each with the row kept instead (table duplicate_rows)."""
    campaign_of = {s.submission_id: s.campaign_id for s in result.submissions}
    rows = [{"campaign_id": campaign_of.get(sub), "table_name": collected.table, "submission_id": sub,
             "source_row": row, "kept_submission_id": kept_sub, "kept_row": kept_row}
            for collected in collected_tables(result) for (sub, row), (kept_sub, kept_row) in collected.dropped.items()]
    return pa.Table.from_pylist(rows, schema=arrow_schema("duplicate_rows"))


def derive(con: duckdb.DuckDBPyConnection, campaigns: list[Campaign], keys: dict[str, str], reused: set[str],
           basis: str, relapse: bool = True) -> None:
    """After the records are in: relapse flags (relapse: False when the ledger is as it was), the precomputed
    tables but those reused, and build_info. views.sql's macros must exist already."""
    if relapse:
        con.execute((SQL_DIR / "derive_relapse.sql").read_text(encoding="utf-8"))
    _run_skipping(con, (SQL_DIR / "precompute.sql").read_text(encoding="utf-8"), reused)  # last: reads the derived flags
    shas = {sha for (sha,) in con.execute("SELECT DISTINCT file_sha256 FROM submissions").fetchall()}
    con.execute("DELETE FROM build_info")
    con.executemany("INSERT INTO build_info VALUES (?, ?)", [
        ("input_fingerprint", _fingerprint(campaigns, shas)),
        ("campaigns", ",".join(c.id for c in campaigns)),
        ("increment_basis", basis),
        ("config", config_digest(campaigns)),
        *((f"derived:{source}", key) for source, key in keys.items()),
    ])


def temp_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def _held_by_live_process(path: Path) -> bool:
    """DuckDB keeps a POSIX lock on a database file while a connection has it open."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        # Trap: POSIX locks are per process, so this test cannot see a temp file this process has
        # open; callers hold the build lock, under which no other build of this process runs.
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def remove_stale_temp_files(db_path: Path) -> list[Path]:
    """Temp files of builds that were killed (and their .wal files); returns what was removed."""
    removed = []
    for path in sorted(db_path.parent.glob(f"{db_path.name}.tmp-*")):
        base = path.with_name(path.name[: -len(".wal")]) if path.name.endswith(".wal") else path
        if not path.exists() or (base.exists() and _held_by_live_process(base)):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def new_database(db_path: Path, copy: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a temp file beside db_path: empty, or a copy of it (copy). When the block ends without
    an error the file is checkpointed and swapped in; otherwise it is removed and db_path stays as it was."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(db_path)
    try:
        if copy:
            shutil.copyfile(db_path, tmp)
        # A bounded sort spills to disk instead of doubling the peak of a large build.
        con = duckdb.connect(str(tmp), config={"memory_limit": "1GB", "threads": 2})
        try:
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        # Trap: a write-ahead log left beside the old file (a crashed writer) would be replayed onto the new one
        Path(f"{db_path}.wal").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def write_database(db_path: Path, campaigns: list[Campaign], result,
                   phase: Callable[[str], None] = lambda text: None, basis: str = "") -> set[str]:
    """phase(text): told, in Chinese, what the step now running does (the data page's progress bar).
    basis: what an in-place update of this database must share with its build (etl/db_increment.py).
    Returns the derived tables copied from the database in place (see DERIVED_FROM)."""
    with new_database(db_path) as con:
        phase(f"正在写入新数据库：{sum(len(c) for c in collected_tables(result))} 条记录…")
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        write_config(con, campaigns)
        insert_arrow(con, "submissions", records_table(result.submissions, "submissions"))
        for collected in collected_tables(result):
            insert_arrow(con, collected.table, collected.arrow(), collected.dropped, sort=False)
        insert_arrow(con, "load_errors", records_table(result.errors, "load_errors"))
        insert_arrow(con, "duplicate_rows", duplicate_rows_table(result))
        phase("正在计算反弹问题和各页面用的汇总表…")
        keys = derived_keys(con)
        reused = _reuse_derived(con, db_path, keys)
        # views.sql first: derive_relapse.sql uses its 口径 macros (status_is_done)
        con.execute((SQL_DIR / "views.sql").read_text(encoding="utf-8"))
        derive(con, campaigns, keys, reused, basis)
        phase("正在保存新数据库并替换旧库…")
    return reused
