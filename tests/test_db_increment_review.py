"""Issue 13 review: sequences of edits a clumsy user (or an attacker) makes between builds, each checked against
the promise of etl/db_increment.py — a build with the cache gives the database (every table, ORDER BY ALL), the
errors, the submissions and the record count a cold build of the same files gives, in place or refused."""
from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

import etl.file_cache
import etl.validate.submission
from etl.build import CampaignSources, build
from etl.config import CAMPAIGNS_DIR, PROJECT_ROOT, load_campaign
from tests.test_etl_small_build import LEADS_HEADER
from tests.test_incremental_build import (
    COPY,
    ROW_A,
    ROW_B,
    ROW_C,
    SALT,
    assert_same,
    run,
    src,  # noqa: F401 — a fixture
    write_ledger,
)

UNIT = "临泉县交通运输局"
SAMPLE = PROJECT_ROOT / "data" / "sample"
ORIGINAL = "临泉县_整改台账_20230522.xlsx"  # COPY (" - 副本") is its duplicate and sorts before it


def cold_equal(tmp_path: Path, incremental, inc_db: Path, src: Path, **kw) -> None:  # noqa: F811
    cold_db = tmp_path / "cold" / "cold.duckdb"
    shutil.rmtree(cold_db.parent, ignore_errors=True)
    cold = run(src, cold_db, **kw)
    assert_same(incremental, inc_db, cold, cold_db)


def write_leads(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(LEADS_HEADER)
        writer.writerows(rows)


def lead(lead_id: str, summary: str, concluded: str = "") -> list:
    return [lead_id, "12345政务服务热线", "2023-09-26", "2023-09-27", "临泉县交通运输局", "逐利执法", summary,
            "张伟", "13812341234", concluded, "属实" if concluded else "", ""]


def write_scores(path: Path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["2023年度各单位执法满意度测评结果汇总表"])
    wb.active.append(["序号", "单位", "满意率", "综合得分", "有效问卷数"])
    for r in rows:
        wb.active.append(r)
    wb.save(path)


class _Day:
    """Sets the day the build runs on: the validators' today and the build cache's."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def __call__(self, day: date) -> None:
        self.monkeypatch.setattr(etl.validate.submission, "date", _DateOn(day))
        self.monkeypatch.setattr(etl.file_cache, "date", _DateOn(day))


class _DateOn:
    """datetime.date as those modules use it (constructor and today()), today() being the given day."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self, *args) -> date:
        return date(*args)

    def today(self) -> date:
        return self.day


# ---------------------------------------------------------------- duplicate content, renames, moves


@pytest.mark.parametrize("name", ["临泉县_整改台账_2023052.xlsx", "临泉县_整改台账_20230522_备份.xlsx"])
def test_a_copy_added_before_or_after_its_original(tmp_path, src, name):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    (src / COPY).unlink()
    run(src, db, cache=True)
    shutil.copyfile(src / ORIGINAL, src / name)  # "…2023052.xlsx" sorts before the original, "_备份" after
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)
    (src / name).unlink()
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_the_read_copy_renamed_so_that_the_other_copy_is_read(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)  # COPY read, ORIGINAL skipped as its duplicate
    (src / COPY).rename(src / "临泉县_整改台账_20230522_副本.xlsx")  # now sorts after: ORIGINAL read, this skipped
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_a_file_renamed(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "太和县_整改台账_20230520.xlsx").rename(src / "太和县_整改台账_20230520_更正.xlsx")
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_the_ledger_whose_duplicate_was_kept_renamed_to_sort_last(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)  # HW-01 of _1 kept, of _2 dropped
    (src / "临泉_手写台账_20230601_1.xlsx").rename(src / "临泉_手写台账_20230601_3.xlsx")
    result = run(src, db, cache=True)
    assert not result.updated_in_place  # the row a duplicate was kept for leaves
    cold_equal(tmp_path, result, db, src)


def test_the_ledger_with_the_dropped_duplicate_renamed(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "临泉_手写台账_20230601_2.xlsx").rename(src / "临泉_手写台账_20230601_9.xlsx")
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)


def test_a_file_moved_into_a_subfolder(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "县").mkdir()
    shutil.move(src / "太和县_整改台账_20230520.xlsx", src / "县" / "太和县_整改台账_20230520.xlsx")
    shutil.move(src / "临泉_手写台账_20230601_1.xlsx", src / "县" / "临泉_手写台账_20230601_1.xlsx")
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)


# ---------------------------------------------------------------- unreadable, lock and hidden files


def test_a_file_corrupted_then_restored(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    path = src / "太和县_整改台账_20230520.xlsx"
    good = path.read_bytes()
    path.write_bytes(good[:len(good) // 2])  # truncated upload
    result = run(src, db, cache=True)
    assert result.updated_in_place
    assert [e.file_name for e in result.errors if e.message.startswith("无法读取文件")] == [path.name]
    cold_equal(tmp_path, result, db, src)
    result = run(src, db, cache=True)  # still broken: read again, nothing changes
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)
    path.write_bytes(good)
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


@pytest.mark.parametrize("prefix", ["~$", "."])
def test_lock_and_hidden_files_come_and_go(tmp_path, src, prefix):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    lock = src / (prefix + "太和县_整改台账_20230520.xlsx")
    shutil.copyfile(src / "太和县_整改台账_20230520.xlsx", lock)
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)
    lock.unlink()
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)


def test_an_unreadable_import_profile_comes_and_goes(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    run(src, db, cache=True, profiles_folder=profiles)
    (profiles / "坏方案.toml").write_text("this is [not toml", encoding="utf-8")
    result = run(src, db, cache=True, profiles_folder=profiles)
    assert result.updated_in_place
    assert [e.file_name for e in result.errors if e.file_name == "导入方案"] == ["导入方案"]
    cold_equal(tmp_path, result, db, src, profiles_folder=profiles)
    (profiles / "坏方案.toml").unlink()
    result = run(src, db, cache=True, profiles_folder=profiles)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src, profiles_folder=profiles)


# ---------------------------------------------------------------- duplicates across files


def test_lead_registers_repeating_ids_within_and_across_files(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    # the later register (by 填报时间 from the name) wins for 0101; 0102 twice inside the earlier one
    write_leads(src / "复核_线索登记表_20231001.csv", [lead("复核〔2023〕0101号", "早"), lead("复核〔2023〕0102号", "一"),
                                                 lead("复核〔2023〕0102号", "二")])
    write_leads(src / "复核_线索登记表_20231015.csv", [lead("复核〔2023〕0101号", "晚", "2023-10-09")])
    run(src, db, cache=True)
    # a third, newest register repeating both: which row counts depends on it
    newest = src / "复核_线索登记表_20231020.csv"
    write_leads(newest, [lead("复核〔2023〕0101号", "最新", "2023-10-10"), lead("复核〔2023〕0102号", "最新")])
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    newest.unlink()  # the rows it won for come back
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    (src / "复核_线索登记表_20231001.csv").unlink()  # only dropped rows and an in-file duplicate leave
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    write_leads(src / "复核_线索登记表_20231001.csv", [lead("复核〔2023〕0103号", "新")])
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_unit_summaries_repeated_across_files(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    write_scores(src / "满意度汇总表_2023.xlsx", [[1, "界首市交通运输局", "92.5%", 92.0, 120],
                                            [2, "太和县交通运输局", "90%", 88, 50]])
    run(src, db, cache=True)
    second = src / "满意度汇总表_2023_补报.xlsx"
    write_scores(second, [[1, "界首市交通运输局", "80%", 81.0, 10], [2, "颍东区交通运输局", "95%", "91分", 60]])
    result = run(src, db, cache=True)
    assert not result.updated_in_place  # 界首 2023 is in place already
    cold_equal(tmp_path, result, db, src)
    second.unlink()
    result = run(src, db, cache=True)
    assert result.updated_in_place  # only dropped rows and a new unit leave
    cold_equal(tmp_path, result, db, src)
    write_scores(second, [[1, "颍东区交通运输局", "95%", "91分", 60]])
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


# ---------------------------------------------------------------- whole kinds leaving and coming back


def test_the_questionnaires_removed_and_added_back(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    held = tmp_path / "held.xlsx"
    shutil.move(src / "满意度测评_2023.xlsx", held)
    result = run(src, db, cache=True)
    assert result.updated_in_place
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM survey_responses").fetchone()[0] == 0
    cold_equal(tmp_path, result, db, src)
    shutil.move(held, src / "满意度测评_2023.xlsx")
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 13)  # (the pack holds what was used)
    cold_equal(tmp_path, result, db, src)


def test_every_lead_register_removed_then_one_back(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    held = tmp_path / "held"
    held.mkdir()
    registers = [p for p in src.iterdir() if "线索登记表" in p.name]
    assert len(registers) == 4
    for p in registers:
        shutil.move(p, held / p.name)
    result = run(src, db, cache=True)
    assert result.updated_in_place
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 0
    cold_equal(tmp_path, result, db, src)
    shutil.move(held / "太和县_问题线索登记表.xlsx", src / "太和县_问题线索登记表.xlsx")
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_every_ledger_removed(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    held = tmp_path / "held"
    held.mkdir()
    for p in [p for p in src.iterdir() if "台账" in p.name]:
        shutil.move(p, held / p.name)
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    for p in held.iterdir():
        shutil.move(p, src / p.name)
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)


# ---------------------------------------------------------------- relapses


def test_the_rectified_problem_a_relapse_points_at_leaves_and_comes_back(tmp_path, src):  # noqa: F811
    """HW-01 (乱罚款) rectified on 2023-06-01 in _1; a later ledger's 乱罚款 problem is a relapse of it."""
    db = tmp_path / "inc" / "d.duckdb"
    write_ledger(src / "临泉_手写台账_20230615.xlsx", UNIT, "2023年6月15日", [
        ["HW-09", "逐利执法", "乱罚款", "再次乱罚款", "12345热线", "再次整改", "2023年7月30日前", "法规股", "正在整改"]])
    run(src, db, cache=True)
    write_ledger(src / "临泉_手写台账_20230601_1.xlsx", UNIT, "2023年6月1日", [ROW_B])  # HW-01 taken out of _1…
    write_ledger(src / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月1日", [ROW_C])  # … and of _2
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    write_ledger(src / "临泉_手写台账_20230601_1.xlsx", UNIT, "2023年6月1日", [ROW_A, ROW_B])
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


# ---------------------------------------------------------------- days, databases of other builds


def test_a_future_fill_date_on_the_next_day(tmp_path, src, monkeypatch):  # noqa: F811
    day = _Day(monkeypatch)
    db = tmp_path / "inc" / "d.duckdb"
    write_ledger(src / "临泉_手写台账_20240110.xlsx", UNIT, "2024年1月10日", [ROW_B])
    day(date(2024, 1, 1))
    first = run(src, db, cache=True)
    assert sum("晚于今天" in e.message for e in first.errors) == 1
    day(date(2024, 1, 15))
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)  # the ledger read again
    assert not [e for e in result.errors if "晚于今天" in e.message]
    cold_equal(tmp_path, result, db, src)


def test_an_older_database_restored_after_the_day_changed(tmp_path, src, monkeypatch):  # noqa: F811
    """The restored database holds a file whose result held only on the day it was read (填报时间 after that day),
    while the pack's entry of that file is from a later day: the file is read again (kept, its stale 晚于今天
    warning stayed: failed before 71bc781)."""
    day = _Day(monkeypatch)
    db = tmp_path / "inc" / "d.duckdb"
    write_ledger(src / "临泉_手写台账_20240110.xlsx", UNIT, "2024年1月10日", [ROW_B])
    day(date(2024, 1, 1))
    run(src, db, cache=True)
    backup = tmp_path / "backup.duckdb"
    shutil.copyfile(db, backup)
    day(date(2024, 1, 15))
    run(src, db, cache=True)  # the ledger read again today: its entry in the pack now holds on any day
    shutil.copyfile(backup, db)  # the administrator restores last week's database
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)


def test_an_older_database_of_the_same_salt_restored(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    backup = tmp_path / "backup.duckdb"
    shutil.copyfile(db, backup)
    write_ledger(src / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月1日", [ROW_C])
    (src / "太和县_整改台账_20230520.xlsx").unlink()
    write_ledger(src / "临泉_手写台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_B])
    run(src, db, cache=True)
    shutil.copyfile(backup, db)
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_a_database_of_another_salt_put_in_place(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    other = tmp_path / "other" / "o.duckdb"
    run(src, other, salt="another-salt")
    run(src, db, cache=True)
    shutil.copyfile(other, db)
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 14)
    cold_equal(tmp_path, result, db, src)


# ---------------------------------------------------------------- two campaigns


def _two(fuyang: Path, haixi: Path, db: Path, **kw):
    return build([CampaignSources(load_campaign("fuyang-2023", CAMPAIGNS_DIR), [fuyang]),
                  CampaignSources(load_campaign("haixi-2023", CAMPAIGNS_DIR), [haixi])],
                 db, salt=SALT, workers=1, **kw)


def test_two_campaigns_one_changes(tmp_path):
    fuyang, haixi = tmp_path / "fuyang", tmp_path / "haixi"
    fuyang.mkdir()
    haixi.mkdir()
    for name in ("临泉县_整改台账_20230413.xlsx", "临泉县_整改台账_20230522.xlsx", "临泉县_问题线索登记表.xlsx",
                 "满意度测评_2023.xlsx"):
        shutil.copyfile(SAMPLE / "fuyang-2023" / name, fuyang / name)
    for name in ("乌兰_整改台账_20230515.xlsx", "乌兰_整改台账_20230623.xlsx", "乌兰_问题线索登记表.csv",
                 "满意度测评_2023.xlsx"):
        shutil.copyfile(SAMPLE / "haixi-2023" / name, haixi / name)
    db = tmp_path / "inc" / "d.duckdb"
    _two(fuyang, haixi, db, cache=True)
    (haixi / "乌兰_整改台账_20230623.xlsx").unlink()
    shutil.copyfile(SAMPLE / "haixi-2023" / "乌兰_整改台账_20230720.xlsx", haixi / "乌兰_整改台账_20230720.xlsx")
    shutil.copyfile(SAMPLE / "fuyang-2023" / "满意度测评_2023.xlsx", haixi / "满意度测评_2023_阜阳.xlsx")
    result = _two(fuyang, haixi, db, cache=True)
    assert result.updated_in_place
    cold_db = tmp_path / "cold" / "c.duckdb"
    assert_same(result, db, _two(fuyang, haixi, cold_db), cold_db)


def test_two_databases_sharing_one_cache_after_the_day_changed(tmp_path, src, monkeypatch):  # noqa: F811
    """$DASHBOARD_BUILD_CACHE shared by two databases: the other one's build renews the pack entry of a day-bound
    file; this database's copy of that file is read again all the same (failed before 71bc781)."""
    day = _Day(monkeypatch)
    shared = tmp_path / "shared-cache"
    db, other = tmp_path / "inc" / "d.duckdb", tmp_path / "other" / "o.duckdb"
    write_ledger(src / "临泉_手写台账_20240110.xlsx", UNIT, "2024年1月10日", [ROW_B])
    day(date(2024, 1, 1))
    run(src, db, cache=shared)
    day(date(2024, 1, 15))
    run(src, other, cache=shared)  # e.g. a preview or test database built with the same cache
    result = run(src, db, cache=shared)
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)


def test_two_ledgers_swap_their_contents(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    first, second = src / "临泉_手写台账_20230601_1.xlsx", src / "临泉_手写台账_20230601_2.xlsx"
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    result = run(src, db, cache=True)
    assert result.updated_in_place  # both taken out: the duplicate goes with the row it was kept for
    cold_equal(tmp_path, result, db, src)


def test_a_damaged_row_section_of_the_pack(tmp_path, src):  # noqa: F811
    from tests.test_incremental_cache import pack

    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    section = pack(db) / "ledger_snapshots.arrow"
    data = bytearray(section.read_bytes())
    data[len(data) // 2] ^= 0xFF
    section.write_bytes(bytes(data))
    write_ledger(src / "临泉_手写台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_B])
    result = run(src, db, cache=True)
    assert result.updated_in_place  # (the rows' sections are not needed before the swap)
    cold_equal(tmp_path, result, db, src)
    write_ledger(src / "临泉_手写台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_C])
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)
    db.unlink()  # a full build from this pack
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)


def test_updates_with_the_pack_written_in_the_background(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True, pack_in_background=True)
    write_ledger(src / "临泉_手写台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_B])
    assert run(src, db, cache=True, pack_in_background=True).updated_in_place
    (src / "太和县_整改台账_20230520.xlsx").unlink()
    result = run(src, db, cache=True, pack_in_background=True)
    assert result.updated_in_place
    result = run(src, db, cache=True)  # waits for the last pack
    assert (result.updated_in_place, result.files_from_cache) == (True, 14)
    cold_equal(tmp_path, result, db, src)


def test_everything_removed_with_allow_empty(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    for path in src.iterdir():
        path.unlink()
    (src / "损坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = run(src, db, cache=True, allow_empty=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src, allow_empty=True)
    write_ledger(src / "临泉_手写台账_20230602.xlsx", UNIT, "2023年6月2日", [ROW_B])
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_two_campaigns_listed_in_the_other_order_with_a_bad_profile(tmp_path):
    fuyang, haixi, profiles = tmp_path / "fuyang", tmp_path / "haixi", tmp_path / "profiles"
    for folder in (fuyang, haixi, profiles):
        folder.mkdir()
    shutil.copyfile(SAMPLE / "fuyang-2023" / "临泉县_整改台账_20230413.xlsx", fuyang / "临泉县_整改台账_20230413.xlsx")
    shutil.copyfile(SAMPLE / "haixi-2023" / "乌兰_整改台账_20230515.xlsx", haixi / "乌兰_整改台账_20230515.xlsx")
    (profiles / "坏方案.toml").write_text("[[[", encoding="utf-8")
    fy, hx = load_campaign("fuyang-2023", CAMPAIGNS_DIR), load_campaign("haixi-2023", CAMPAIGNS_DIR)
    db = tmp_path / "inc" / "d.duckdb"

    def both(order, path, **kw):
        return build([CampaignSources(c, [f]) for c, f in order], path, salt=SALT, workers=1,
                     profiles_folder=profiles, **kw)

    both([(fy, fuyang), (hx, haixi)], db, cache=True)
    result = both([(hx, haixi), (fy, fuyang)], db, cache=True)
    cold_db = tmp_path / "cold" / "c.duckdb"
    assert_same(result, db, both([(hx, haixi), (fy, fuyang)], cold_db), cold_db)


def test_a_database_built_without_the_cache_then_a_change(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)  # no pack at all
    write_ledger(src / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月1日", [ROW_C])
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (True, 0)  # every file read, every one replaced
    cold_equal(tmp_path, result, db, src)


def test_a_file_becoming_a_copy_of_another(tmp_path, src):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    # _2 becomes a copy of _1: skipped as its duplicate, its rows and its duplicate of HW-01 leave
    shutil.copyfile(src / "临泉_手写台账_20230601_1.xlsx", src / "临泉_手写台账_20230601_2.xlsx")
    result = run(src, db, cache=True)
    assert result.updated_in_place
    assert sorted(e.file_name for e in result.errors if "完全相同" in e.message) == sorted(
        [ORIGINAL, "临泉_手写台账_20230601_2.xlsx"])
    cold_equal(tmp_path, result, db, src)
    # and _1 becomes a copy of the (unchanged) 太和 ledger, sorting after it: _1 skipped, _2 (HW-01 …) read again
    shutil.copyfile(src / "太和县_整改台账_20230520.xlsx", src / "临泉_手写台账_20230601_1.xlsx")
    result = run(src, db, cache=True)
    cold_equal(tmp_path, result, db, src)


def test_a_refused_update_then_a_damaged_row_section(tmp_path, src):  # noqa: F811
    """The update reads the changed files, is refused (a new row's identity is in place), and the full build
    then finds a row section of the pack damaged: every file is read again, those read already reused."""
    from tests.test_incremental_cache import pack

    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    section = pack(db) / "leads.arrow"
    data = bytearray(section.read_bytes())
    data[len(data) // 2] ^= 0xFF
    section.write_bytes(bytes(data))
    write_ledger(src / "临泉_手写台账_20230601_0.xlsx", UNIT, "2023年6月1日", [ROW_A])
    write_ledger(src / "临泉_手写台账_20230601_2.xlsx", UNIT, "2023年6月1日", [ROW_C, ROW_B])
    result = run(src, db, cache=True)
    assert (result.updated_in_place, result.files_from_cache) == (False, 0)
    cold_equal(tmp_path, result, db, src)
    result = run(src, db, cache=True)
    assert result.updated_in_place
    cold_equal(tmp_path, result, db, src)


def test_a_long_sequence_of_edits(tmp_path, src):  # noqa: F811
    """Edits one after another (a fixed sequence mixing those above), each build compared with a cold one."""
    db = tmp_path / "inc" / "d.duckdb"
    attic = tmp_path / "attic"
    attic.mkdir()
    run(src, db, cache=True)
    taihe, hw1, hw2 = "太和县_整改台账_20230520.xlsx", "临泉_手写台账_20230601_1.xlsx", "临泉_手写台账_20230601_2.xlsx"
    steps = [
        lambda: shutil.move(src / taihe, attic / taihe),
        lambda: write_ledger(src / hw2, UNIT, "2023年6月1日", [ROW_C]),
        lambda: shutil.copyfile(src / hw1, src / ("~$" + hw1)),
        lambda: (src / COPY).write_bytes(b"PK\x03\x04 broken"),
        lambda: shutil.move(attic / taihe, src / taihe),
        lambda: write_leads(src / "复核_线索登记表_20231001.csv", [lead("复核〔2023〕0101号", "一")]),
        lambda: (src / ("~$" + hw1)).unlink(),
        lambda: shutil.copyfile(src / ORIGINAL, src / COPY),
        lambda: write_ledger(src / hw2, UNIT, "2023年6月1日", [ROW_A, ROW_C]),
        lambda: (src / "复核_线索登记表_20231001.csv").rename(src / "复核_线索登记表_20231002.csv"),
        lambda: shutil.move(src / "满意度测评_2023.xlsx", attic / "满意度测评_2023.xlsx"),
    ]
    in_place = []
    for step in steps:
        step()
        result = run(src, db, cache=True)
        in_place.append(result.updated_in_place)
        cold_equal(tmp_path, result, db, src)
    # refused only where a row comes back (_2's HW-01 added again while _1's is in place)
    assert in_place == [True, True, True, True, True, True, True, True, False, True, True]
