"""Issue 13: an incremental build (files unchanged since the last build taken from the per-file cache)
gives the same database as a cold build of the same files — every table, the load errors and the
submissions — after a file is added, changed or removed, after the campaign configuration changes and
after the salt changes; and it really re-reads only what changed."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl import fingerprint
from etl.build import CampaignSources, build
from etl.config import CAMPAIGNS_DIR, PROJECT_ROOT, load_campaign
from etl.file_cache import FileCache, cache_dir
from tests.test_etl_small_build import write_leads_csv

SAMPLE = PROJECT_ROOT / "data" / "sample" / "fuyang-2023"
SAMPLE_FILES = [  # 11 files: ledgers (.xlsx, .xls), registers (.xlsx, .csv) and a questionnaire export
    *[f"临泉县_整改台账_{d}.xlsx" for d in ("20230413", "20230522", "20230626", "20230725")],
    "临泉县_问题线索登记表.xlsx", "太和县_整改台账_20230520.xlsx", "太和县_问题线索登记表.xlsx",
    "阜南县_整改台账_20230521.xls", "阜南县_整改台账_20230701.xls", "规划运输科_问题线索登记表.csv",
    "满意度测评_2023.xlsx",
]
# The copy sorts before the original (" " < "."): a cold build reads the copy and skips the original.
COPY = "临泉县_整改台账_20230522 - 副本.xlsx"
HEADER = ["编号", "问题方面", "表现形式", "具体案例", "问题来源", "整改措施", "整改时限", "整改责任部门、责任人", "整改进度"]
ROW_A = ["HW-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股", "已完成整改"]
ROW_B = ["HW-02", "执法不规范", "随意拦车", "路口随意拦车检查", "12345热线", "规范检查", "2023.5.20", "路政大队", "尚未完成"]
ROW_C = ["HW-03", "逐利执法", "乱罚款", "又发现乱罚款", "12328", "再次整改", "立行立改", "法规股", "正在整改"]
SALT = "incremental-test-salt"


def write_ledger(path: Path, unit: str, as_of: str, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([f"填报单位：{unit}（盖章）    填报时间：{as_of}"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every table of the database, rows in one total order (ORDER BY every column)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: con.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall() for n in names}


def as_rows(items) -> list[str]:
    return sorted(repr(dataclasses.astuple(x)) for x in items)


@pytest.fixture()
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for name in SAMPLE_FILES:
        shutil.copyfile(SAMPLE / name, folder / name)
    shutil.copyfile(SAMPLE / "临泉县_整改台账_20230522.xlsx", folder / COPY)
    write_leads_csv(folder / "手写_线索登记表.csv")
    # two hand-written ledgers of one unit and one date: HW-01 in both, the first by name is kept
    write_ledger(folder / "临泉_手写台账_20230601_1.xlsx", "临泉县交通运输局", "2023年6月1日", [ROW_A, ROW_B])
    write_ledger(folder / "临泉_手写台账_20230601_2.xlsx", "临泉县交通运输局", "2023年6月1日", [ROW_A, ROW_C])
    return folder


def config_folder(tmp_path: Path, name: str, edit=lambda text: text) -> Path:
    """A copy of fuyang-2023.toml in its own folder (a campaign file at a new path: read afresh)."""
    folder = tmp_path / name
    folder.mkdir()
    text = (CAMPAIGNS_DIR / "fuyang-2023.toml").read_text(encoding="utf-8")
    (folder / "fuyang-2023.toml").write_text(edit(text), encoding="utf-8")
    return folder


def stored(db: Path) -> set[str]:
    """The keys in the build cache beside db."""
    return FileCache(cache_dir(db), SALT).stored_keys()


def run(src: Path, db: Path, campaigns: Path = CAMPAIGNS_DIR, salt: str = SALT, **kw):
    return build([CampaignSources(load_campaign("fuyang-2023", campaigns), [src])], db, salt=salt, workers=1, **kw)


def assert_same_as_cold(tmp_path: Path, incremental, inc_db: Path, src: Path, **kw) -> None:
    cold_db = tmp_path / "cold" / "cold.duckdb"
    shutil.rmtree(cold_db.parent, ignore_errors=True)
    assert_same(incremental, inc_db, run(src, cold_db, **kw), cold_db)


def assert_same(incremental, inc_db: Path, cold, cold_db: Path) -> None:
    """Every table, the load errors, the submissions and the counts of a build equal a cold build's."""
    assert cold.files_from_cache == 0
    got, want = tables(inc_db), tables(cold_db)
    assert list(got) == list(want)
    for name in want:
        assert got[name] == want[name], name
    assert as_rows(incremental.errors) == as_rows(cold.errors)
    assert as_rows(incremental.submissions) == as_rows(cold.submissions)
    assert (incremental.files, incremental.record_count()) == (cold.files, cold.record_count())


def due_dates(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT lead_id, due_date FROM leads").fetchall())


def duplicate_errors(result) -> int:
    return sum("同一问题在同一填报时间重复出现" in e.message for e in result.errors)


def test_unchanged_files_come_from_the_cache(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    first = run(src, db, cache=True)
    assert (first.files, first.files_from_cache) == (15, 0)
    again = run(src, db, cache=True)
    # 14 files stored (the copy's original is skipped as a duplicate, never read nor stored)
    assert again.files_from_cache == 14
    assert "其中 14 个自上次重建以来未改动" in again.summary_text()
    assert_same_as_cold(tmp_path, again, db, src)


def test_the_progress_bar_is_told_every_step(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "太和县_整改台账_20230520.xlsx").unlink()
    db.unlink()  # no database to update in place (tests/test_db_increment.py): a full build from the cache
    seen: list[tuple[int, int, str]] = []
    result = run(src, db, cache=True, progress=lambda i, n, text: seen.append((i, n, text)))
    texts = [text for _, _, text in seen]
    assert texts[:2] == ["正在核对 14 个文件是否改动过…", "13 个文件自上次重建以来未改动，沿用上次的读取结果"]
    assert texts[2] == "临泉县_整改台账_20230522.xlsx：0 条记录"  # the skipped duplicate, reported again
    assert texts[3:] == ["正在检查各文件之间的重复记录…", f"正在写入新数据库：{result.record_count()} 条记录…",
                         "正在计算反弹问题和各页面用的汇总表…", "正在保存新数据库并替换旧库…"]
    assert [i for i, _, _ in seen] == [0, 13, 14, 14, 14, 14, 14]
    assert {n for _, n, _ in seen} == {14}
    assert not result.updated_in_place


def test_a_file_added(tmp_path, src):
    extra = src / "太和县_问题线索登记表.xlsx"
    held = tmp_path / "held.xlsx"
    shutil.move(extra, held)
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    shutil.move(held, extra)
    result = run(src, db, cache=True)
    assert result.files_from_cache == 13  # only the added register is read
    assert_same_as_cold(tmp_path, result, db, src)


def test_a_file_changed(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    before = run(src, db, cache=True)
    assert duplicate_errors(before) == 1  # HW-01 of the second hand-written ledger
    # the first ledger no longer has HW-01: the second one's row is now the one kept
    write_ledger(src / "临泉_手写台账_20230601_1.xlsx", "临泉县交通运输局", "2023年6月1日", [ROW_B, ROW_C])
    result = run(src, db, cache=True)
    assert result.files_from_cache == 13
    assert duplicate_errors(result) == 1  # now HW-03, the other way round
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute("SELECT serial_no, file_name, source_row FROM ledger_snapshots JOIN submissions "
                           "USING (submission_id) WHERE serial_no LIKE 'HW-%' ORDER BY ALL").fetchall()
    assert kept == [("HW-01", "临泉_手写台账_20230601_2.xlsx", 3), ("HW-02", "临泉_手写台账_20230601_1.xlsx", 3),
                    ("HW-03", "临泉_手写台账_20230601_1.xlsx", 4)]
    assert_same_as_cold(tmp_path, result, db, src)


def test_a_file_removed(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    before = run(src, db, cache=True)
    skipped = [e.file_name for e in before.errors if "内容完全相同，未导入" in e.message]
    assert skipped == ["临泉县_整改台账_20230522.xlsx"]
    entries = len(stored(db))
    (src / COPY).unlink()  # the original, skipped so far, is read now
    (src / "太和县_整改台账_20230520.xlsx").unlink()
    result = run(src, db, cache=True)
    assert result.files_from_cache == 12
    assert not [e for e in result.errors if "完全相同" in e.message]
    assert {s.file_name for s in result.submissions} >= {"临泉县_整改台账_20230522.xlsx"}
    # the removed files' entries are gone, the original's is new: one entry less
    assert len(stored(db)) == entries - 1
    assert_same_as_cold(tmp_path, result, db, src)


def test_campaign_config_changed(tmp_path, src):
    write_ledger(src / "泉城_整改台账_20230602.xlsx", "泉城交通运输局", "2023年6月2日", [ROW_A])
    db = tmp_path / "inc" / "d.duckdb"
    old = config_folder(tmp_path, "c1")
    before = run(src, db, campaigns=old, cache=True)
    due_before = due_dates(db)
    new = config_folder(tmp_path, "c2", lambda t: t.replace("working_days_limit = 5", "working_days_limit = 10")
                        .replace('"临泉县交通局"]', '"临泉县交通局", "泉城"]'))
    result = run(src, db, campaigns=new, cache=True)
    assert result.files_from_cache == 0  # the units shape every file's result
    loaded = {s.file_name: s.rows_loaded for s in result.submissions}
    assert {s.file_name: s.rows_loaded for s in before.submissions}["泉城_整改台账_20230602.xlsx"] == 0
    assert loaded["泉城_整改台账_20230602.xlsx"] == 1
    due_after = due_dates(db)
    assert due_after.keys() == due_before.keys()
    assert all(due_after[k] > due_before[k] for k in due_before if due_before[k])  # 10 working days, not 5
    assert_same_as_cold(tmp_path, result, db, src, campaigns=new)


def test_a_setting_the_files_do_not_use_keeps_the_cache(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, campaigns=config_folder(tmp_path, "c1"), cache=True)
    # [lagging] thresholds shape the pages, not what a file yields: nothing is read again
    new = config_folder(tmp_path, "c2", lambda t: t.replace("red = 6", "red = 7"))
    assert "red = 7" in (new / "fuyang-2023.toml").read_text(encoding="utf-8")
    result = run(src, db, campaigns=new, cache=True)
    assert result.files_from_cache == 14
    assert_same_as_cold(tmp_path, result, db, src, campaigns=new)


def test_salt_changed(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True, salt="first-salt")
    keys_before = {r[0] for r in duckdb.connect(str(db), read_only=True).execute(
        "SELECT complainant_key FROM leads WHERE complainant_key IS NOT NULL").fetchall()}
    result = run(src, db, cache=True, salt="second-salt")
    assert result.files_from_cache == 0
    keys_after = {r[0] for r in duckdb.connect(str(db), read_only=True).execute(
        "SELECT complainant_key FROM leads WHERE complainant_key IS NOT NULL").fetchall()}
    assert keys_before and not keys_before & keys_after
    assert_same_as_cold(tmp_path, result, db, src, salt="second-salt")


def test_changed_code_invalidates_every_entry(tmp_path, src, monkeypatch):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    monkeypatch.setattr(fingerprint, "code_fingerprint", lambda: "etl code of another version")
    result = run(src, db, cache=True)
    assert result.files_from_cache == 0
    assert run(src, db, cache=True).files_from_cache == 14
    assert_same_as_cold(tmp_path, result, db, src)


def test_renamed_file_is_read_again(tmp_path, src):
    """The name is part of the key: submissions carry it and the reporting unit may come from it."""
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    (src / "太和县_整改台账_20230520.xlsx").rename(src / "太和县_整改台账_20230520（更正）.xlsx")
    result = run(src, db, cache=True)
    assert result.files_from_cache == 13
    assert_same_as_cold(tmp_path, result, db, src)


def test_no_cache_reads_everything_and_leaves_the_cache_alone(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, cache=True)
    before = stored(db)
    result = run(src, db)
    assert result.files_from_cache == 0
    assert stored(db) == before
