"""Issue 13: when only a few files changed, the build updates a copy of the database in place
(etl/db_increment.py) instead of writing every row again, and the result equals a cold build's, table by table.
Where that cannot be guaranteed cheaply the update is refused and the build writes the whole database; these
tests check both that the update in place is really taken and that each refusal falls back correctly.

The update trusts the database in place (only builds write it; a file DuckDB cannot read is refused)."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import etl.build
from etl.load import BuildRefused
from tests.test_incremental_build import (
    COPY,
    ROW_A,
    ROW_B,
    ROW_C,
    assert_same_as_cold,
    config_folder,
    duplicate_errors,
    run,
    src,  # noqa: F401 — a fixture
    stored,
    write_ledger,
)
from tests.test_incremental_cache import pack

UNIT = "临泉县交通运输局"
# 乱罚款 again, a new problem two weeks after HW-01 (乱罚款) was rectified on 2023-06-01: a relapse (推导)
ROW_RELAPSE = ["HW-09", "逐利执法", "乱罚款", "再次乱罚款", "12345热线", "再次整改", "2023年7月30日前", "法规股", "正在整改"]


def derived_relapses(db) -> set[tuple]:
    """(serial, date, the problem it is a relapse of) of every relapse found by derive_relapse.sql."""
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("SELECT serial_no, as_of_date, relapse_of FROM ledger_snapshots "
                               "WHERE relapse_basis = '推导' AND is_relapse").fetchall())


def records_in(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("ledger_snapshots", "leads", "survey_responses", "survey_unit_scores"))


def test_an_added_ledger_is_put_in_place(tmp_path, src):  # noqa: F811
    held = tmp_path / "held.xlsx"
    shutil.move(src / "太和县_整改台账_20230520.xlsx", held)
    db = tmp_path / "inc" / "d.duckdb"
    first = run(src, db, cache=True)
    assert not first.updated_in_place  # no database yet
    records_before = records_in(db)
    shutil.move(held, src / "太和县_整改台账_20230520.xlsx")
    seen: list[tuple[int, int, str]] = []
    result = run(src, db, cache=True, progress=lambda i, n, text: seen.append((i, n, text)))
    assert (result.updated_in_place, result.files, result.files_from_cache) == (True, 15, 13)
    added = [s for s in result.submissions if s.file_name == "太和县_整改台账_20230520.xlsx"]
    with duckdb.connect(str(db), read_only=True) as con:
        in_db = con.execute("SELECT count(*) FROM ledger_snapshots JOIN submissions USING (submission_id) "
                            "WHERE file_name = '太和县_整改台账_20230520.xlsx'").fetchone()[0]
    assert len(added) == 1 and added[0].rows_loaded == in_db > 0
    assert records_in(db) == records_before + in_db
    assert result.record_count() == first.record_count() + in_db  # records read, duplicates included
    assert [text for _, _, text in seen] == [
        "正在核对 15 个文件是否改动过…", "13 个文件自上次重建以来未改动，数据库中它们的数据原样保留",
        f"太和县_整改台账_20230520.xlsx：{added[0].rows_loaded} 条记录",
        f"正在更新数据库：移出 0 个文件的数据，加入 {added[0].rows_loaded} 条记录…",
        "正在计算反弹问题和各页面用的汇总表…", "正在保存新数据库并替换旧库…"]
    assert [i for i, _, _ in seen] == [0, 13, 14, 15, 15, 15]
    assert "（其中 13 个自上次重建以来未改动，数据库中它们的数据原样保留）" in result.summary_text()
    assert_same_as_cold(tmp_path, result, db, src)
    # the next pack still holds every file read: a full build takes all 14 from it
    assert len(stored(db)) == 14
    db.unlink()
    assert run(src, db, cache=True).files_from_cache == 14


def test_a_changed_ledger_is_put_in_place(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    before = run(src, db, cache=True)
    assert duplicate_errors(before) == 1  # HW-01 of the second hand-written ledger, kept from the first
    write_ledger(src / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月1日", [ROW_C])  # its HW-01 taken out
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 13)
    assert duplicate_errors(result) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duplicate_rows WHERE table_name = 'ledger_snapshots'").fetchone()[0] == 0
    assert_same_as_cold(tmp_path, result, db, src)


def test_removed_files_are_taken_out_in_place(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / COPY).unlink()  # the original, skipped as its duplicate so far, is read now
    (src / "太和县_整改台账_20230520.xlsx").unlink()
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 12)
    assert not [e for e in result.errors if "完全相同" in e.message]
    assert_same_as_cold(tmp_path, result, db, src)


def test_relapses_are_derived_again(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    before = derived_relapses(db)
    assert len(before) == 3  # (the sample's own: e.g. 12 of 临泉县 on 2023-06-26, a relapse of HW-01)
    later = src / "临泉_手写台账_20230615.xlsx"
    write_ledger(later, UNIT, "2023年6月15日", [ROW_RELAPSE])
    result = run(src, db, cache=True)
    assert result.updated_in_place
    assert derived_relapses(db) - before == {("HW-09", date(2023, 6, 15), "linquan:HW-01")}
    assert_same_as_cold(tmp_path, result, db, src)
    later.unlink()  # the relapse goes with it; the flags of the rows left are those read
    result = run(src, db, cache=True)
    assert result.updated_in_place
    assert derived_relapses(db) == before
    assert_same_as_cold(tmp_path, result, db, src)


def test_settings_the_files_do_not_use_are_written_in_place(tmp_path, src):  # noqa: F811
    """[reporting] grace_days and [lagging] shape the pages, not what a file yields: the configuration tables are
    written again in place (an edited campaign file is a new campaign file: read afresh)."""
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, campaigns=config_folder(tmp_path, "c1"), cache=True)
    new = config_folder(tmp_path, "c2", lambda t: t.replace("grace_days = 3", "grace_days = 5")
                        .replace("red = 6", "red = 7"))
    result = run(src, db, campaigns=new, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT grace_days FROM campaigns").fetchall() == [(5,)]
    assert_same_as_cold(tmp_path, result, db, src, campaigns=new)


def test_taking_out_the_row_a_duplicate_was_kept_for_builds_in_full(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    # the first ledger no longer has HW-01: the second one's row, dropped so far, must come back
    write_ledger(src / "临泉_手写台账_20230601_1.xlsx", UNIT, "2023年6月1日", [ROW_B, ROW_C])
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 13)
    assert result.not_in_place == "删除的文件中有 1 行重复行所按的行"
    assert duplicate_errors(result) == 1  # now HW-03 of the first, kept from the second
    assert_same_as_cold(tmp_path, result, db, src)


def test_a_new_row_of_an_identity_in_place_builds_in_full(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    # HW-01 on 2023-06-01 a third time, in a file whose name sorts first: which row counts depends on both
    write_ledger(src / "临泉_手写台账_20230601_0.xlsx", UNIT, "2023年6月1日", [ROW_A])
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 14)
    assert result.not_in_place == "新文件有 1 行与库中 ledger_snapshots 的行重复"
    assert duplicate_errors(result) == 2
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute("SELECT file_name FROM ledger_snapshots JOIN submissions USING (submission_id) "
                           "WHERE serial_no = 'HW-01'").fetchall()
    assert kept == [("临泉_手写台账_20230601_0.xlsx",)]
    assert_same_as_cold(tmp_path, result, db, src)


def test_two_files_of_one_name_build_in_full(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "sub").mkdir()
    write_ledger(src / "sub" / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月2日", [ROW_B])
    result = run(src, db, cache=True)
    assert result.not_in_place == "两个文件同名"  # rows are matched to files by name: two are not told apart
    assert_same_as_cold(tmp_path, result, db, src)


def test_more_changed_files_than_the_limit_build_in_full(tmp_path, src, monkeypatch):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    monkeypatch.setattr(etl.build, "IN_PLACE_MIN_FILES", 1)
    write_ledger(src / "泉城_整改台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_B])
    write_ledger(src / "泉城_整改台账_20230603.xlsx", UNIT, "2023年6月3日", [ROW_B])
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 14)
    assert result.not_in_place == "17 个文件中有 2 个要读"
    assert_same_as_cold(tmp_path, result, db, src)


@pytest.mark.parametrize("damage", ["basis", "garbage", "wal"])
def test_a_database_of_another_build_or_unreadable_builds_in_full(tmp_path, src, damage):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    if damage == "basis":  # e.g. written by the code of an earlier version
        with duckdb.connect(str(db)) as con:
            con.execute("DELETE FROM build_info WHERE key = 'increment_basis'")
    elif damage == "wal":  # a write-ahead log beside it (a crashed writer): a copy of the file alone would miss it
        Path(f"{db}.wal").write_bytes(b"")
    else:
        db.write_bytes(b"\x00" * 5000 + "不是数据库".encode())
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 14)
    assert result.not_in_place.startswith({"basis": "数据库由别的代码", "wal": "数据库有未写入的日志文件",
                                           "garbage": "数据库无法读取"}[damage])
    assert not Path(f"{db}.wal").exists()  # (it belonged to the old file)
    assert_same_as_cold(tmp_path, result, db, src)


def test_an_update_leaving_nothing_is_refused_like_a_full_build(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    before = db.read_bytes()
    for path in src.iterdir():
        path.unlink()
    (src / "损坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(BuildRefused, match="一条记录也没有读到"):
        run(src, db, cache=True)
    assert db.read_bytes() == before


def test_a_file_the_pack_holds_but_the_database_not(tmp_path, src):  # noqa: F811
    """A database written by a build without the cache, the pack left from the one before: the file in the pack
    is read again (its rows are not in the database) and goes into the next pack once."""
    db = tmp_path / "inc" / "d.duckdb"
    ledger = src / "临泉_手写台账_20230602.xlsx"
    write_ledger(ledger, UNIT, "2023年6月2日", [ROW_B])
    original = ledger.read_bytes()
    run(src, db, cache=True)
    write_ledger(ledger, UNIT, "2023年6月2日", [ROW_C])
    run(src, db)  # no cache: the pack still holds the original
    ledger.write_bytes(original)
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    assert_same_as_cold(tmp_path, result, db, src)
    assert len(stored(db)) == 15
    assert pa.ipc.open_file(pack(db) / "entries.arrow").read_all().num_rows == 15  # each entry once
    db.unlink()
    again = run(src, db, cache=True)
    assert again.files_from_cache == 15
    assert_same_as_cold(tmp_path, again, db, src)
