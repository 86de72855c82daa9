"""Builds that cannot destroy (issue 8, items 5, 6, 1 and 9): a mistyped or empty source refuses to
swap, concurrent builds are serialised, stale temp files are cleaned, one hostile file does not stop
the build, load errors and upload refusals are Chinese, uploads have quotas."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard import upload
from etl.build import BuildRefused, CampaignSources, build
from etl.config import load_campaign
from tests.signed_in import app_as
from tests.test_etl_small_build import write_leads_csv, write_ledger
from tests.test_read_hardening import _letters, formula_workbook, ledger_workbook, patch_sheet

ROOT = Path(__file__).resolve().parent.parent
LEDGER_ROWS = [
    ["LQ-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股", "已完成整改"],
    ["LQ-02", "执法不规范", "随意拦车", "路口随意拦车检查", "12345热线", "规范检查", "2023.5.20", "路政大队", "尚未完成"],
]


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")


@pytest.fixture()
def good_src(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_leads_csv(src / "线索登记表.csv")  # 3 leads load, 2 rejected
    write_ledger(src / "临泉_整改台账_20230525.xlsx", "2023年5月25日", LEDGER_ROWS)
    return src


def counts(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM ledger_snapshots)").fetchone()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "build", *args, "--campaign", "fuyang-2023", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DASHBOARD_SALT": "test-salt"})


# ---------------------------------------------------------------- item 5: sources that cannot be right


def test_mistyped_folder_refuses_and_keeps_the_database(tmp_path, good_src):
    db = tmp_path / "db" / "d.duckdb"
    assert cli(str(good_src), "--db", str(db)).returncode == 0
    assert counts(db) == (3, 2)
    before = db.read_bytes()
    missing = tmp_path / "fuyang-2032"
    done = cli(str(missing), "--db", str(db))
    assert done.returncode == 2
    assert f"源文件夹“{missing}”不存在" in done.stderr
    assert "原数据库未改动" in done.stderr
    assert db.read_bytes() == before


def test_file_instead_of_folder_refuses(tmp_path, good_src):
    db = tmp_path / "d.duckdb"
    build_one(good_src, db)
    before = db.read_bytes()
    a_file = good_src / "线索登记表.csv"
    done = cli(str(a_file), "--db", str(db))
    assert done.returncode == 2
    assert f"“{a_file}”是文件，不是文件夹" in done.stderr
    assert db.read_bytes() == before


def build_one(src: Path, db: Path, **kw):
    return build([CampaignSources(load_campaign("fuyang-2023"), [src])], db, salt="s", **kw)


def test_empty_folder_refuses_unless_allow_empty(tmp_path, good_src):
    db = tmp_path / "d.duckdb"
    build_one(good_src, db)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "说明.txt").write_text("不是报送文件")
    with pytest.raises(BuildRefused, match=f"源文件夹“{empty}”中没有可导入的文件"):
        build_one(empty, db)
    assert counts(db) == (3, 2)
    done = cli(str(empty), "--db", str(db), "--allow-empty")
    assert done.returncode == 0, done.stderr
    assert counts(db) == (0, 0)


def test_files_that_yield_nothing_do_not_replace_data(tmp_path, good_src):
    db = tmp_path / "d.duckdb"
    build_one(good_src, db)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "坏文件.xlsx").write_bytes(os.urandom(3000))
    with pytest.raises(BuildRefused, match="一条记录也没有读到.*原数据库（线索登记 3 条、整改台账 2 条）未改动"):
        build_one(junk, db)
    assert counts(db) == (3, 2)
    # with nothing to lose the same build goes through and reports the file
    fresh = tmp_path / "fresh.duckdb"
    result = build_one(junk, fresh)
    assert [e.file_name for e in result.files_not_loaded()] == ["坏文件.xlsx"]


def test_sample_sources_list_only_existing_folders(tmp_path):
    from etl.build import sample_sources

    (tmp_path / "sample" / "fuyang-2023").mkdir(parents=True)
    sources = {cs.campaign.id: cs.source_dirs for cs in sample_sources(tmp_path / "sample", tmp_path / "up")}
    assert sources["fuyang-2023"] == [tmp_path / "sample" / "fuyang-2023"]
    assert sources["haixi-2023"] == []


# ---------------------------------------------------------------- item 6: concurrent builds, temp files


def test_two_builds_at_once_both_succeed(tmp_path, good_src):
    db = tmp_path / "d.duckdb"
    failures, results = [], []

    def one():
        try:
            results.append(build_one(good_src, db))
        except Exception as exc:  # noqa: BLE001 — the test counts them
            failures.append(repr(exc))

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert len(results) == 3
    assert counts(db) == (3, 2)
    assert sorted(p.name for p in db.parent.iterdir()) == ["d.duckdb", "src"]  # no temp or lock file left


def test_second_build_told_one_is_running(tmp_path, good_src):
    import fcntl

    db = tmp_path / "d.duckdb"
    with open(f"{db}.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.perf_counter()
        with pytest.raises(BuildRefused, match="另一个重建正在进行"):
            build_one(good_src, db, lock_timeout=0.5)
        assert 0.5 <= time.perf_counter() - started < 5
    assert not db.exists()


def test_temp_names_are_unique_per_build():
    from etl.load import temp_path

    db = Path("/x/d.duckdb")
    names = {temp_path(db).name for _ in range(50)}
    assert len(names) == 50
    assert all(n.startswith(f"d.duckdb.tmp-{os.getpid()}-") for n in names)


HOLD_TEMP = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("CREATE TABLE t AS SELECT 1")
    print("ready", flush=True)
    time.sleep(60)
""")


def test_stale_temp_files_cleaned_live_ones_kept(tmp_path, good_src):
    db = tmp_path / "d.duckdb"
    stale = [tmp_path / "d.duckdb.tmp-4242", tmp_path / "d.duckdb.tmp-4242.wal",
             tmp_path / "d.duckdb.tmp-77-ab12.wal"]  # a .wal whose database is already gone
    for p in stale:
        p.write_bytes(b"left by a killed build")
    live = tmp_path / "d.duckdb.tmp-live"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_TEMP, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        build_one(good_src, db)
        assert [p for p in stale if p.exists()] == []
        assert live.exists()
    finally:
        holder.kill()
        holder.wait()
    assert counts(db) == (3, 2)


# ---------------------------------------------------------------- item 1 at build level: one hostile file

BUILD_CHILD = textwrap.dedent("""
    import resource, sys, time
    limit = int(sys.argv[3]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from pathlib import Path
    from etl.build import CampaignSources, build
    from etl.config import load_campaign
    t = time.perf_counter()
    result = build([CampaignSources(load_campaign("fuyang-2023"), [Path(sys.argv[1])])], Path(sys.argv[2]), salt="s")
    print(repr(sorted({e.file_name for e in result.files_not_loaded()})))
    print(repr(sorted({(e.file_name, e.message) for e in result.errors if e.file_name == "满屏.xlsx"})))
    print(time.perf_counter() - t)
    print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) // 1024)
""")
# Bounds for the whole build (python, duckdb, pyarrow, calamine): address space 3 GB (DuckDB alone
# reserves ~2.5 GB of it even for a tiny build; the XFD1048576 file alone would ask for 512 GB) and
# resident memory at its peak under 400 MB (a build of the good files alone peaks near 180 MB).
BUILD_AS_LIMIT_MB = 3000
BUILD_RSS_LIMIT_MB = 400


def test_memory_bomb_file_in_a_build(tmp_path, good_src):
    ledger_workbook(good_src / "太和县_XFD单元格_20230625.xlsx", "XFD1048576")
    spread = formula_workbook(tmp_path)
    cells = b"".join(b'<row r="%d"><c r="%s%d" t="n"><v>1</v></c></row>' % (
        10 + i * 300, _letters(4 + i * 4), 10 + i * 300) for i in range(3300))
    patch_sheet(spread, good_src / "满屏.xlsx", b"</sheetData>", cells + b"</sheetData>")
    db = tmp_path / "d.duckdb"
    done = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(good_src), str(db), str(BUILD_AS_LIMIT_MB)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    not_loaded, messages, seconds, peak_rss_mb = done.stdout.strip().splitlines()
    assert int(peak_rss_mb) < BUILD_RSS_LIMIT_MB
    assert not_loaded == "['满屏.xlsx']"
    assert "工作表“S”过大" in messages
    assert float(seconds) < 30
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (3,)
        # the good ledger (2 rows) and the stray-cell ledger (its 3 rows) both load
        assert con.execute("SELECT file_name, count(*) FROM ledger_snapshots JOIN submissions USING (submission_id) "
                           "GROUP BY ALL ORDER BY ALL").fetchall() == [("临泉_整改台账_20230525.xlsx", 2),
                                                                       ("太和县_XFD单元格_20230625.xlsx", 3)]


# ---------------------------------------------------------------- item 9: messages for people


@pytest.mark.parametrize("name, data", [("坏.xlsx", os.urandom(3000)), ("截断.xlsx", b"PK\x03\x04" + os.urandom(100)),
                                        ("坏.xls", os.urandom(3000))])
def test_corrupt_file_message_is_chinese(tmp_path, good_src, name, data):
    (good_src / name).write_bytes(data)
    result = build_one(good_src, tmp_path / "d.duckdb")
    (err,) = result.files_not_loaded()
    assert err.file_name == name
    assert err.message.startswith("无法读取文件，整个文件未导入：无法打开 Excel 文件")
    assert not any(word in err.message for word in ("Zip", "EOCD", "Cfb", "OLE", "error"))


def test_show_error_details_off():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == upload.MAX_FILE_BYTES // 2**20


def test_very_long_chinese_file_name_is_shortened(tmp_path):
    name = "阜阳市交通运输局" * 12 + "整改台账_2.xlsx"
    assert len(name.encode()) == 307  # Linux allows 255 bytes per name
    saved = upload.stage_upload("fuyang-2023", name, b"abc", root=tmp_path / "st", uploads=tmp_path / "up")
    assert saved.renamed
    assert saved.name.endswith(".xlsx") and saved.name.startswith("阜阳市交通运输局")
    assert len(saved.name.encode()) <= upload.MAX_NAME_BYTES
    assert saved.path.read_bytes() == b"abc"
    committed = upload.commit_staged("fuyang-2023", saved.name, root=tmp_path / "st", uploads=tmp_path / "up")
    assert committed.path.read_bytes() == b"abc"


def test_upload_quota_per_file(tmp_path):
    big = os.urandom(199 * 2**20)
    with pytest.raises(upload.UploadError, match="“随机.xlsx”有 199 MB，超过单个文件 50 MB 的上限"):
        upload.stage_upload("fuyang-2023", "随机.xlsx", big, root=tmp_path / "st", uploads=tmp_path / "up")
    assert not (tmp_path / "st" / "fuyang-2023").exists() or not any((tmp_path / "st" / "fuyang-2023").iterdir())


def test_upload_quota_per_campaign(tmp_path, monkeypatch):
    monkeypatch.setattr(upload, "MAX_CAMPAIGN_BYTES", 10_000)
    kw = {"root": tmp_path / "st", "uploads": tmp_path / "up"}
    upload.stage_upload("fuyang-2023", "a.csv", b"x" * 4000, **kw)
    upload.commit_staged("fuyang-2023", "a.csv", **kw)
    upload.stage_upload("fuyang-2023", "b.csv", b"x" * 4000, **kw)
    with pytest.raises(upload.UploadError, match="本专项整治已上传和暂存的文件共 7.8 KB.*上限 9.8 KB"):
        upload.stage_upload("fuyang-2023", "c.csv", b"x" * 4000, **kw)
    # replacing a file by a same-name one counts only the new size
    upload.stage_upload("fuyang-2023", "a.csv", b"y" * 5000, **kw)
    upload.stage_upload("haixi-2023", "h.csv", b"x" * 9000, **kw)  # each campaign has its own quota


def test_file_that_failed_to_read_is_listed_with_its_reason(tmp_path, monkeypatch):
    from dashboard.db import QueryRunner

    monkeypatch.setenv("DASHBOARD_SALT", "test-salt")

    uploads = tmp_path / "up"
    folder = uploads / "fuyang-2023"
    folder.mkdir(parents=True)
    write_leads_csv(folder / "线索登记表.csv")
    (folder / "坏.xlsx").write_bytes(os.urandom(3000))
    db = tmp_path / "d.duckdb"
    upload.rebuild(db, sample_root=tmp_path / "no-sample", uploads=uploads, profiles=tmp_path / "no-profiles")
    runner = QueryRunner(db)
    try:
        errors = runner.run("load_errors_list", campaign_id="fuyang-2023")
    finally:
        runner.close()
    listing = upload.with_read_problems(upload.list_uploads("fuyang-2023", uploads), errors)
    assert listing["文件名"].tolist() == ["坏.xlsx", "线索登记表.csv"]
    assert listing["读取问题"].str.startswith("无法读取文件，整个文件未导入：无法打开 Excel 文件").tolist() == [True, False]
    assert listing["读取问题"].tolist()[1] == ""
    # removing it is a rebuild without it; deleting the last file needs allow_empty
    assert upload.delete_upload("fuyang-2023", "坏.xlsx", uploads)
    assert upload.delete_upload("fuyang-2023", "线索登记表.csv", uploads)
    with pytest.raises(BuildRefused, match="没有可导入的文件"):
        upload.rebuild(db, sample_root=tmp_path / "no-sample", uploads=uploads)
    upload.rebuild(db, sample_root=tmp_path / "no-sample", uploads=uploads, allow_empty=True)
    assert counts(db) == (0, 0)


def test_data_page_lists_unreadable_file_and_removes_it(tmp_path, monkeypatch):

    uploads = tmp_path / "up"
    folder = uploads / "fuyang-2023"
    folder.mkdir(parents=True)
    write_leads_csv(folder / "线索登记表.csv")
    (folder / "坏.xlsx").write_bytes(os.urandom(3000))
    db = tmp_path / "d.duckdb"
    for name, value in {"DASHBOARD_DB": db, "DASHBOARD_UPLOADS": uploads, "DASHBOARD_STAGING": tmp_path / "st",
                        "DASHBOARD_PROFILES": tmp_path / "profiles", "DASHBOARD_SALT": "test-salt"}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr("etl.build.PROJECT_ROOT", tmp_path)  # no bundled sample: only the uploads
    upload.rebuild(db)
    at = app_as(monkeypatch, timeout=60)
    at.query_params["campaign"] = "fuyang-2023"
    at.run()
    at.switch_page("pages/data_admin.py").run()
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "读取问题" in d.value.columns)
    assert dict(zip(listed["文件名"], listed["读取问题"].str[:28], strict=True)) == {
        "坏.xlsx": "无法读取文件，整个文件未导入：无法打开 Excel 文件", "线索登记表.csv": ""}
    assert any("1 个文件无法读取、未导入" in e.value for e in at.error)
    at.selectbox(key="adm_del_name").select("坏.xlsx").run()
    at.button(key="adm_del").click().run()
    assert not at.exception
    assert not (folder / "坏.xlsx").exists()
    assert [s.value for s in at.success if "已删除" in s.value] == ["已删除“坏.xlsx”。"]
    listed = next(d.value for d in at.dataframe if "读取问题" in d.value.columns)
    assert listed["读取问题"].tolist() == [""]
