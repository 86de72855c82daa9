"""Issue 13: the per-file build cache cannot break or poison a build. Corrupt, truncated, foreign,
swapped or forged entries, symlinks, FIFOs and an unwritable folder only cost a re-read; the database
equals a cold build's. Entries round-trip exactly, are pruned to what the last build used, and a result
that depends on the day it was read is used on that day only."""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

import etl.build
from etl.build import CampaignSources, build
from etl.build_result import FileResult
from etl.collected import arrow_schema
from etl.config import PROJECT_ROOT, load_campaign
from etl.file_cache import MAGIC, SUFFIX, FileCache, cache_dir, decode, encode, still_valid
from etl.validate.context import LoadError, Submission
from tests.test_incremental_build import SAMPLE, tables

SALT = "cache-test-salt"
FILES = ["临泉县_整改台账_20230413.xlsx", "临泉县_整改台账_20230522.xlsx", "临泉县_问题线索登记表.xlsx",
         "阜南县_整改台账_20230521.xls", "规划运输科_问题线索登记表.csv", "满意度测评_2023.xlsx"]


@pytest.fixture()
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for name in FILES:
        shutil.copyfile(SAMPLE / name, folder / name)
    return folder


def run(src: Path, db: Path, **kw):
    kw.setdefault("cache", True)
    return build([CampaignSources(load_campaign("fuyang-2023"), [src])], db, salt=SALT, profiles=[], workers=1, **kw)


def entries(db: Path) -> list[Path]:
    return sorted(cache_dir(db).rglob(f"*{SUFFIX}"))


@pytest.fixture()
def cold(tmp_path, src) -> dict:
    db = tmp_path / "cold" / "cold.duckdb"
    run(src, db, cache=False)
    return tables(db)


def tamper(paths: list[Path]) -> None:
    data = paths[0].read_bytes()
    paths[0].write_bytes(data[: len(data) // 2])  # truncated
    flipped = bytearray(paths[1].read_bytes())
    flipped[-100] ^= 0x01  # one bit inside the row data
    paths[1].write_bytes(bytes(flipped))
    paths[2].write_bytes(os.urandom(4000))
    paths[3].write_bytes(b"")
    paths[4].write_bytes(paths[5].read_bytes())  # another file's valid entry under this key


def test_corrupt_entries_are_read_again(tmp_path, src, cold):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    stored = entries(db)
    assert len(stored) == 6
    tamper(stored)
    result = run(src, db)
    assert result.files_from_cache == 1  # only the untouched entry
    assert tables(db) == cold
    assert run(src, db).files_from_cache == 6  # the re-read files were stored again
    assert tables(db) == cold


def test_links_fifos_and_folders_in_place_of_entries(tmp_path, src, cold):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    stored = entries(db)
    stored[0].unlink()
    stored[0].symlink_to("/dev/zero")
    stored[1].unlink()
    os.mkfifo(stored[1])
    stored[2].unlink()
    stored[2].mkdir()
    result = run(src, db)
    assert result.files_from_cache == 3
    assert tables(db) == cold


def test_an_entry_forged_without_the_salt_is_ignored(tmp_path, src, cold):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    target = entries(db)[0]
    key = target.name[: -len(SUFFIX)]
    # a well-formed entry claiming one fake lead, signed with another key
    fake = FileResult([], [], {"leads": pa.Table.from_pylist([{"campaign_id": "fuyang-2023", "lead_id": "伪造-1",
                                                                "submission_id": "x", "source_row": 1}],
                                                              schema=arrow_schema("leads"))})
    FileCache(cache_dir(db), "somebody else's salt").put(key, fake)
    assert target.read_bytes().startswith(MAGIC)
    result = run(src, db)
    assert result.files_from_cache == 5
    assert tables(db) == cold
    assert "伪造-1" not in repr(tables(db)["leads"])


def test_unwritable_cache_folder_does_not_stop_the_build(tmp_path, src, cold):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    db = tmp_path / "inc" / "d.duckdb"
    result = run(src, db, cache=blocker)
    assert result.files_from_cache == 0
    assert tables(db) == cold
    assert run(src, db, cache=blocker).files_from_cache == 0


def test_unused_entries_and_litter_are_pruned(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    shard = entries(db)[0].parent
    (shard / ".deadbeef.123-abc.tmp").write_bytes(b"left by a killed build")
    (shard / f"{'0' * 64}{SUFFIX}").write_bytes(b"an entry of a file since removed")
    (src / "阜南县_整改台账_20230521.xls").unlink()
    run(src, db)
    left = sorted(p.name for p in cache_dir(db).rglob("*") if p.is_file())
    assert len(left) == 6  # 5 entries + .gitignore
    assert ".gitignore" in left
    assert (cache_dir(db) / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_file_that_failed_for_lack_of_memory_is_not_stored(tmp_path, src, monkeypatch):
    db = tmp_path / "inc" / "d.duckdb"
    real = etl.build.read_file

    def short_of_memory(path, *args, **kw):
        if Path(path).name == "临泉县_问题线索登记表.xlsx":
            raise MemoryError
        return real(path, *args, **kw)

    monkeypatch.setattr(etl.build, "read_file", short_of_memory)
    first = run(src, db)
    assert [e.file_name for e in first.files_not_loaded()] == ["临泉县_问题线索登记表.xlsx"]
    assert len(entries(db)) == 5
    monkeypatch.setattr(etl.build, "read_file", real)
    again = run(src, db)
    assert again.files_from_cache == 5
    assert again.files_not_loaded() == []


def sample_part(as_of: date | None) -> FileResult:
    sub = Submission("s1", "fuyang-2023", "临泉县_整改台账.xlsx", "台账", "ledger", "linquan", as_of, "表头",
                     "ab" * 32, rows_read=3, columns_ignored="备注、序号", mapping_profile=None)
    err = LoadError("fuyang-2023", "s1", "临泉县_整改台账.xlsx", "台账", 4, "整改时限", "2023年2月30日", "日期不存在")
    ledger = pa.Table.from_pylist([{"campaign_id": "fuyang-2023", "unit_id": "linquan", "problem_id": "p1",
                                    "as_of_date": as_of, "serial_no": "1", "deadline": None, "is_relapse": False,
                                    "submission_id": "s1", "source_row": 3}], schema=arrow_schema("ledger_snapshots"))
    return FileResult([sub], [err], {"ledger_snapshots": ledger})


def test_entry_round_trip():
    part = sample_part(date(2023, 5, 22))
    back, made_on = decode(memoryview(encode(part, date(2026, 1, 5))))
    assert made_on == date(2026, 1, 5)
    assert back.submissions == part.submissions
    assert back.errors == part.errors
    assert list(back.rows) == ["ledger_snapshots"]
    assert back.rows["ledger_snapshots"].equals(part.rows["ledger_snapshots"])


def test_a_result_that_depends_on_the_day_holds_that_day_only(tmp_path):
    made = date(2026, 1, 5)
    past, future = sample_part(date(2026, 1, 5)), sample_part(date(2026, 1, 9))
    assert still_valid(past, made, date(2026, 3, 1))
    assert still_valid(future, made, made)
    # read on 1-5, the 1-9 date was reported as later than 今天; on 1-10 it is not: read again
    assert not still_valid(future, made, date(2026, 1, 10))
    assert not still_valid(past, made, date(2026, 1, 4))  # the clock went back
    cache = FileCache(tmp_path, "s", today=made)
    cache.put("k" * 64, future)
    assert cache.get("k" * 64) is not None
    assert FileCache(tmp_path, "s", today=date(2026, 1, 10)).get("k" * 64) is None


def test_cli_uses_the_cache_by_default(tmp_path, src):
    db = tmp_path / "db" / "d.duckdb"
    env = {**os.environ, "DASHBOARD_SALT": SALT, "DASHBOARD_BUILD_CACHE": str(tmp_path / "elsewhere")}

    def cli(*extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "etl", "build", str(src), "--campaign", "fuyang-2023",
                               "--db", str(db), "--quiet", *extra], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "未改动" not in cli()
    assert "（其中 6 个自上次重建以来未改动，沿用上次的读取结果）" in cli()
    assert "未改动" not in cli("--no-cache")
    assert len(list((tmp_path / "elsewhere").rglob(f"*{SUFFIX}"))) == 6
    assert not (db.parent / "cache").exists()


PHONE = re.compile(r"1[3-9]\d{9}")
HEX = re.compile(r"[0-9a-f]{16,64}")


def test_entries_hold_no_clear_phone_number(tmp_path, src):
    raw = (src / "规划运输科_问题线索登记表.csv").read_bytes().decode("gb18030")
    assert PHONE.search(raw)  # the register holds numbers in clear
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    cells = 0
    for path in entries(db):
        assert path.stat().st_mode & 0o077 == 0  # owner only
        data = path.read_bytes()
        part, _ = decode(memoryview(data)[len(MAGIC) + 32:])
        tables = [pa.Table.from_pylist([dataclasses.asdict(s) for s in part.submissions]),
                  pa.Table.from_pylist([dataclasses.asdict(e) for e in part.errors]), *part.rows.values()]
        for table in tables:
            for column in table.columns:
                for value in column.to_pylist():
                    if isinstance(value, str) and not HEX.fullmatch(value):
                        cells += 1
                        assert not PHONE.search(value), value
    assert cells > 1000
