"""Update the database in place when only a few files changed: a copy of it gets the changed files' rows
removed and the new ones added, the derived tables of what changed are computed again, and the copy is
swapped in. At national scale an uploaded ledger then costs a few seconds instead of writing 2.4 million
rows again (etl/load.write_database).

The result must be the database a full build of the same files writes (tests/test_db_increment.py builds
both and compares every table). Whenever that cannot be guaranteed cheaply the update is refused with a
reason and the caller does a full build:
- the database was built with other code or SQL, other settings that shape what a file yields, other import
  profiles or salt (increment_basis; other settings, such as [lagging], are written again with the
  configuration tables);
- two files of one campaign share a name (rows are matched to files by campaign and file name);
- a file taken out held a row that other rows were dropped as duplicates of (they would have to come back);
- a new row has the identity of a row already in the database (which one counts depends on both);
- nothing would be left while the database had records (the full build refuses that, with its message).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from etl.build_result import BuildResult
from etl.collected import RECORD_TABLES, records_table
from etl.config import Campaign
from etl.fingerprint import result_fingerprint
from etl.load import (
    DERIVED_FROM,
    SCHEMA,
    SQL_DIR,
    config_digest,
    derive,
    derived_keys,
    duplicate_rows_table,
    insert_arrow,
    new_database,
    stored_digest,
    write_config,
)
from etl.read.profiles import ImportProfile
from etl.validate.context import LoadError, Submission
from etl.validate.dedupe import IDENTITY
from etl.validate.submission import FUTURE_MARK

_CODE = (Path(__file__), Path(__file__).with_name("load.py"), SCHEMA,
         *(SQL_DIR / n for n in ("views.sql", "reset_relapse.sql", "derive_relapse.sql", "precompute.sql")))


class Refused(Exception):
    """The update cannot be made in place (the reason, for the log); the caller builds in full."""


def increment_basis(campaigns: list[Campaign], profiles: list[ImportProfile], salt: str,
                    kinds: dict[str, dict[str, str]] | None = None) -> str:
    """What a database must share with this build to be updated in place: the campaigns and their result
    fingerprints (code, the settings files are read with, vocabulary, profiles, salt), and the code and SQL that
    write the database. Other settings (e.g. [lagging] thresholds) are only in the configuration tables,
    which an update writes again. kinds: campaign id → the digests of its kinds' own settings (the holiday
    schedule among them) to take instead of this process's (etl.fingerprint.CacheSettings.kinds)."""
    h = hashlib.sha256()
    for c in sorted(campaigns, key=lambda c: c.id):
        fingerprint = result_fingerprint(c, profiles, salt, None if kinds is None else kinds[c.id])
        h.update(c.id.encode() + b"\0" + fingerprint.encode())
    for path in _CODE:
        h.update(path.read_bytes())
    return stored_digest(h)


def files_in_place(db_path: Path, basis: str) -> dict[tuple[str, str], str | None]:
    """(campaign, file name) → content SHA-256 of every file the database in place holds submissions of; None for
    a file whose result there holds only on the day it was read (a 填报时间 later than that day: read it again).
    Refused when the database was built on another basis or holds two files of one name."""
    if Path(f"{db_path}.wal").exists():  # changes not yet in the file (a copy of the file would miss them)
        raise Refused("数据库有未写入的日志文件")
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            stored = con.execute("SELECT value FROM build_info WHERE key = 'increment_basis'").fetchall()
            rows = con.execute("SELECT DISTINCT campaign_id, file_name, file_sha256 FROM submissions").fetchall()
            day_bound = set(con.execute(
                "SELECT DISTINCT campaign_id, file_name FROM load_errors WHERE submission_id IS NOT NULL "
                "AND contains(message, ?)", [FUTURE_MARK]).fetchall())
    except duckdb.Error as exc:
        raise Refused("数据库无法读取") from exc
    if stored != [(basis,)]:
        raise Refused("数据库由别的代码、配置、导入方案或盐建成")
    files: dict[tuple[str, str], str | None] = {}
    for campaign_id, name, sha in rows:
        if files.setdefault((campaign_id, name), sha) != sha:
            raise Refused(f"库中有两个同名文件“{name}”")
    return {file: None if file in day_bound else sha for file, sha in files.items()}


def _register(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list]) -> None:
    con.register(name, pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}))


def _take_out(con: duckdb.DuckDBPyConnection, kept: set[tuple[str, str]]) -> set[str]:
    """Remove every submission of the files not kept, with its rows, errors and duplicates, and every
    file-level message (unreadable or skipped file, import profiles) but the kept files'; returns the
    record tables that lost rows."""
    _register(con, "kept_files", {"campaign_id": [c for c, _ in kept], "file_name": [n for _, n in kept]})
    con.execute("CREATE TEMP TABLE removed AS SELECT submission_id FROM submissions "
                "ANTI JOIN kept_files USING (campaign_id, file_name)")
    (comes_back,), = con.execute("SELECT count(*) FROM duplicate_rows WHERE kept_submission_id IN (FROM removed) "
                                 "AND submission_id NOT IN (FROM removed)").fetchall()
    if comes_back:
        raise Refused(f"删除的文件中有 {comes_back} 行重复行所按的行")
    changed = set()
    for table in RECORD_TABLES:
        (n,), = con.execute(f"DELETE FROM {table} WHERE submission_id IN (FROM removed)").fetchall()
        if n:
            changed.add(table)
    con.execute("DELETE FROM load_errors e WHERE submission_id IN (FROM removed) OR (submission_id IS NULL AND NOT "
                "EXISTS (SELECT 1 FROM kept_files k WHERE k.campaign_id = e.campaign_id AND k.file_name = e.file_name))")
    con.execute("DELETE FROM duplicate_rows WHERE submission_id IN (FROM removed)")
    con.execute("DELETE FROM submissions WHERE submission_id IN (FROM removed)")
    con.unregister("kept_files")
    return changed


def _check_no_collision(con: duckdb.DuckDBPyConnection, added: BuildResult) -> None:
    for collected in added.tables():
        identity = IDENTITY.get(collected.table)
        if identity is None or not len(collected):
            continue
        con.register("added_ids", collected.arrow().select(list(identity)))
        same = " AND ".join(f"a.{c} IS NOT DISTINCT FROM t.{c}" for c in identity)
        (n,), = con.execute(f"SELECT count(*) FROM added_ids a SEMI JOIN {collected.table} t ON {same}").fetchall()
        con.unregister("added_ids")
        if n:
            raise Refused(f"新文件有 {n} 行与库中 {collected.table} 的行重复")


def _put_in(con: duckdb.DuckDBPyConnection, added: BuildResult) -> set[str]:
    insert_arrow(con, "submissions", records_table(added.submissions, "submissions"), sort=False)
    changed = set()
    for collected in added.tables():
        if len(collected):
            insert_arrow(con, collected.table, collected.arrow(), collected.dropped, sort=False)
            changed.add(collected.table)
    insert_arrow(con, "load_errors", records_table(added.errors, "load_errors"), sort=False)
    insert_arrow(con, "duplicate_rows", duplicate_rows_table(added), sort=False)
    return changed


def _records(con: duckdb.DuckDBPyConnection) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in RECORD_TABLES)


def _as_result(con: duckdb.DuckDBPyConnection, files: int, unchanged: int, records: int) -> BuildResult:
    """The build's outcome as the callers show it, read from the updated database."""
    result = BuildResult(files=files, files_from_cache=unchanged, records_in_database=records)
    result.submissions = [Submission(**r) for r in
                          con.sql("FROM submissions ORDER BY file_name, sheet_name").to_arrow_table().to_pylist()]
    result.errors = [LoadError(**r) for r in
                     con.sql("FROM load_errors ORDER BY file_name, sheet_name, source_row").to_arrow_table().to_pylist()]
    return result


def _derive_changed(con: duckdb.DuckDBPyConnection, campaigns: list[Campaign], basis: str, changed: set[str],
                    stored_keys: dict[str, str]) -> None:
    """The derived tables of the record tables that changed, computed again; the others stay as they are."""
    if "ledger_snapshots" in changed:  # its flags back to what was read, as a full build has them here
        con.execute((SQL_DIR / "reset_relapse.sql").read_text(encoding="utf-8"))
    # a source as it was keeps its key (the same SQL: see increment_basis) and its derived tables
    keys = {source: stored_keys[f"derived:{source}"] for source in DERIVED_FROM if source not in changed}
    keys |= derived_keys(con, [source for source in DERIVED_FROM if source not in keys])
    keys = {source: keys[source] for source in DERIVED_FROM}
    reused = {table for source, tables in DERIVED_FROM.items()
              if stored_keys.get(f"derived:{source}") == keys[source] for table in tables}
    derive(con, campaigns, keys, reused, basis, relapse="ledger_snapshots" in changed)


def update_in_place(db_path: Path, campaigns: list[Campaign], basis: str, kept: set[tuple[str, str]], gone: int,
                    added: BuildResult, files: int, allow_empty: bool,
                    phase: Callable[[str], None] = lambda text: None) -> BuildResult:
    """A copy of the database in place keeps the files in kept (campaign, file name) and gets added's
    submissions, rows and errors (their duplicates among themselves already dropped, etl.build.finish);
    then it is swapped in (gone: how many of its files leave, for the progress bar). Refused (nothing
    changed) when the result could differ from a full build's."""
    with new_database(db_path, copy=True) as con:
        stored = dict(con.execute("SELECT key, value FROM build_info").fetchall())
        stored_keys = {key: value for key, value in stored.items() if key.startswith("derived:")}
        had = _records(con)
        phase(f"正在更新数据库：移出 {gone} 个文件的数据，加入 {added.record_count()} 条记录…")
        if stored.get("config") != config_digest(campaigns):
            write_config(con, campaigns)
        changed = _take_out(con, kept)
        _check_no_collision(con, added)
        changed |= _put_in(con, added)
        records = _records(con)
        if had and not records and not allow_empty:
            raise Refused("更新后没有记录")
        phase("正在计算反弹问题和各页面用的汇总表…")
        _derive_changed(con, campaigns, basis, changed, stored_keys)
        (duplicates,), = con.execute("SELECT count(*) FROM duplicate_rows").fetchall()
        result = _as_result(con, files, len(kept), records + duplicates)  # (records read, as a full build counts)
        phase("正在保存新数据库并替换旧库…")
    return result
