"""Issue 13: the build cache (one sealed pack of every file's result) cannot break or poison a build.
A corrupt, truncated, swapped or forged section, symlinks, FIFOs, a CURRENT pointing elsewhere and an
unwritable folder only cost a re-read; the database equals a cold build's. Results round-trip exactly,
the pack holds what the last build used and nothing else, and a result that depends on the day it was
read is used on that day only."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import etl.read_one
from etl.build import CampaignSources, build
from etl.build_result import FileResult
from etl.collected import arrow_schema
from etl.config import PROJECT_ROOT, load_campaign
from etl.file_cache import CURRENT, SECTIONS, FileCache, batch_sections, cache_dir, sections_part, still_valid
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


def pack(db: Path) -> Path:
    """The pack folder CURRENT names."""
    folder = cache_dir(db)
    return folder / (folder / CURRENT).read_text(encoding="ascii").strip()


def section(db: Path, name: str) -> Path:
    return pack(db) / f"{name}.arrow"


def stored(db: Path, salt: str = SALT) -> set[str]:
    return FileCache(cache_dir(db), salt).stored_keys()


@pytest.fixture()
def cold(tmp_path, src) -> dict:
    db = tmp_path / "cold" / "cold.duckdb"
    run(src, db, cache=False)
    return tables(db)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01  # one bit inside the rows (or the footer)
    path.write_bytes(bytes(data))


def swap_with_leads(path: Path) -> None:  # another section's valid file in its place
    path.write_bytes((path.parent / "leads.arrow").read_bytes())


def replace_by_noise(path: Path) -> None:
    path.write_bytes(os.urandom(4000))


def forge_seal(path: Path) -> None:  # the listing edited, the HMAC kept
    path.write_bytes(path.read_bytes().replace(b"leads", b"lEads"))


@pytest.mark.parametrize(("damage", "name"), [
    (swap_with_leads, "submissions.arrow"), (replace_by_noise, "entries.arrow"), (forge_seal, "seal"),
    (flip_a_bit, "seal"), (flip_a_bit, "file_stats.arrow")])
def test_a_damaged_pack_is_read_again(tmp_path, src, cold, damage, name):
    """The seal and the index sections are checked before anything is used."""
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    assert len(stored(db)) == 6
    damage(pack(db) / name)
    assert stored(db) == set()
    result = run(src, db)
    assert result.files_from_cache == 0  # every file read again
    assert tables(db) == cold
    again = run(src, db)  # and stored again
    assert again.files_from_cache == 6
    assert tables(db) == cold


@pytest.mark.parametrize(("damage", "name"), [
    (truncate, "ledger_snapshots.arrow"), (flip_a_bit, "leads.arrow"), (Path.unlink, "load_errors.arrow")])
def test_a_damaged_section_is_never_used(tmp_path, src, cold, damage, name):
    """Sections of rows are checked against the seal when first read: by a full build (nothing from the pack is
    used, every file is read again), or by the thread writing the next pack after an in-place update (the
    rows were in the database; the entries it cannot copy are left out of the next pack)."""
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    damage(pack(db) / name)
    db.unlink()
    result = run(src, db)
    assert (result.updated_in_place, result.files_from_cache) == (False, 0)
    assert tables(db) == cold
    damage(pack(db) / name)
    result = run(src, db)
    assert (result.updated_in_place, result.files_from_cache) == (True, 6)
    assert tables(db) == cold
    assert stored(db) == set()
    again = run(src, db)  # every file read again (an in-place update of all six)
    assert (again.updated_in_place, again.files_from_cache) == (True, 0)
    assert tables(db) == cold
    assert len(stored(db)) == 6


def test_links_fifos_and_folders_in_place_of_sections(tmp_path, src, cold):
    db = tmp_path / "inc" / "d.duckdb"
    for replace, name in [(r, n) for r in ("symlink", "fifo", "folder") for n in ("submissions", "leads")]:
        run(src, db)
        target = section(db, name)
        copy = tmp_path / f"{name}-copy.arrow"
        shutil.copyfile(target, copy)
        target.unlink()
        if replace == "symlink":
            target.symlink_to(copy)  # the same bytes, but through a link: not read
        elif replace == "fifo":
            os.mkfifo(target)
        else:
            target.mkdir()
        if name == "leads":  # a section of rows: found when first read (see test_a_damaged_section_is_never_used)
            db.unlink()
        else:
            assert stored(db) == set(), replace
        assert run(src, db).files_from_cache == 0, (replace, name)
        assert tables(db) == cold


@pytest.mark.parametrize("pointer", ["../../outside", "pack-../../x", "/etc", "pack-", "\x00" * 10, ""])
def test_current_naming_anything_but_a_pack_here_is_ignored(tmp_path, src, cold, pointer):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    (cache_dir(db) / CURRENT).write_text(pointer)
    assert stored(db) == set()
    assert run(src, db).files_from_cache == 0
    assert tables(db) == cold


def test_a_pack_forged_without_the_salt_is_ignored(tmp_path, src, cold):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    keys = stored(db)
    # a well-formed pack claiming one fake lead under a real file's key, sealed with another salt
    fake = FileResult([], [], {"leads": pa.Table.from_pylist([{"campaign_id": "fuyang-2023", "lead_id": "伪造-1",
                                                                "submission_id": "x", "source_row": 1}],
                                                              schema=arrow_schema("leads"))})
    forger = FileCache(cache_dir(db), "somebody else's salt")
    forger.put(sorted(keys)[0], fake)
    forger.commit()
    assert stored(db, "somebody else's salt") == {sorted(keys)[0]}
    assert stored(db) == set()
    result = run(src, db)
    assert result.files_from_cache == 0
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


def test_the_pack_holds_what_the_last_build_used_and_litter_is_removed(tmp_path, src):
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    first = pack(db)
    folder = cache_dir(db)
    (folder / ".tmp-999999999-deadbeef").mkdir()  # left by a killed build
    (folder / "ab").mkdir()  # an entry folder of the old one-file-per-entry cache
    (folder / "ab" / f"{'0' * 64}.arrows").write_bytes(b"old entry")
    (folder / "pack-0123456789abcdef").mkdir()  # a pack no longer in use
    (src / "阜南县_整改台账_20230521.xls").unlink()
    result = run(src, db)
    assert result.files_from_cache == 5
    assert len(stored(db)) == 5
    assert pack(db) != first
    assert sorted(p.name for p in folder.iterdir()) == sorted([".gitignore", CURRENT, pack(db).name])
    assert sorted(p.name for p in pack(db).iterdir()) == sorted([f"{n}.arrow" for n in SECTIONS] + ["seal"])
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_file_that_failed_for_lack_of_memory_is_not_stored(tmp_path, src, monkeypatch):
    db = tmp_path / "inc" / "d.duckdb"
    real = etl.read_one.read_file

    def short_of_memory(path, *args, **kw):
        if Path(path).name == "临泉县_问题线索登记表.xlsx":
            raise MemoryError
        return real(path, *args, **kw)

    monkeypatch.setattr(etl.read_one, "read_file", short_of_memory)
    first = run(src, db)
    assert [e.file_name for e in first.files_not_loaded()] == ["临泉县_问题线索登记表.xlsx"]
    assert len(stored(db)) == 5
    monkeypatch.setattr(etl.read_one, "read_file", real)
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


def test_a_result_round_trips_through_a_pack(tmp_path):
    part = sample_part(date(2023, 5, 22))
    assert sections_part({name: table for name, (table, _) in batch_sections([part]).items()}) == part
    writer = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    writer.put("k" * 64, part)
    writer.put("j" * 64, FileResult([], [LoadError("fuyang-2023", None, "坏文件.xlsx", "", None, None, None, "无法读取")]))
    writer.commit()
    reader = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    assert reader.stored_keys() == {"k" * 64, "j" * 64}
    back = reader.take(["k" * 64])
    assert back.submissions == part.submissions
    assert back.errors == part.errors
    assert list(back.rows) == ["ledger_snapshots"]
    assert back.rows["ledger_snapshots"].equals(part.rows["ledger_snapshots"])
    assert [e.file_name for e in reader.take(["j" * 64]).errors] == ["坏文件.xlsx"]


def test_results_stored_in_batches_come_back_each_as_put(tmp_path, monkeypatch):
    """Puts are stored a batch at a time (file_cache.PUT_BATCH; here 2, so 5 results make 3 batches, the last
    stored at commit): every file gets back exactly its own submissions, errors and rows."""
    import dataclasses

    import etl.file_cache

    monkeypatch.setattr(etl.file_cache, "PUT_BATCH", 2)
    base = sample_part(date(2023, 5, 22))
    parts = []
    for i in range(5):
        rows = {} if i == 1 else {"ledger_snapshots": base.rows["ledger_snapshots"].set_column(
            2, "problem_id", pa.array([f"p{i}"]))}
        errors = [dataclasses.replace(base.errors[0], source_row=i)] * (i % 3)  # 0, 1, 2, 0, 1 errors
        parts.append(FileResult([dataclasses.replace(base.submissions[0], submission_id=f"s{i}")], errors, rows))
    writer = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    for i, part in enumerate(parts):
        writer.put(f"{i}" * 64, part)
    writer.commit()
    reader = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    for i, part in enumerate(parts):
        back = reader.take([f"{i}" * 64])
        assert back.submissions == part.submissions and back.errors == part.errors, i
        assert list(back.rows) == list(part.rows), i
        if part.rows:
            assert back.rows["ledger_snapshots"].column("problem_id").to_pylist() == [f"p{i}"]


def test_a_result_that_depends_on_the_day_holds_that_day_only(tmp_path):
    made = date(2026, 1, 5)
    assert still_valid([date(2026, 1, 5)], made, date(2026, 3, 1))
    assert still_valid([date(2026, 1, 9)], made, made)
    # read on 1-5, the 1-9 date was reported as later than 今天; on 1-10 it is not: read again
    assert not still_valid([date(2026, 1, 9)], made, date(2026, 1, 10))
    assert not still_valid([date(2026, 1, 5)], made, date(2026, 1, 4))  # the clock went back
    assert still_valid([None], made, date(2026, 3, 1))
    cache = FileCache(tmp_path, "s", today=made)
    cache.put("k" * 64, sample_part(date(2026, 1, 9)))
    cache.put("p" * 64, sample_part(date(2026, 1, 5)))
    cache.commit()
    assert FileCache(tmp_path, "s", today=made).stored_keys() == {"k" * 64, "p" * 64}
    assert FileCache(tmp_path, "s", today=date(2026, 1, 10)).stored_keys() == {"p" * 64}


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
    assert "（其中 6 个自上次重建以来未改动，数据库中它们的数据原样保留）" in cli()  # (updated in place)
    assert "未改动" not in cli("--no-cache")
    db.unlink()  # no database to update: the files come from the cache
    assert "（其中 6 个自上次重建以来未改动，沿用上次的读取结果）" in cli()
    assert len(FileCache(tmp_path / "elsewhere", SALT).stored_keys()) == 6
    assert not (db.parent / "cache").exists()


PHONE = re.compile(r"1[3-9]\d{9}")
HEX = re.compile(r"[0-9a-f]{16,64}")


def test_the_pack_holds_no_clear_phone_number(tmp_path, src):
    raw = (src / "规划运输科_问题线索登记表.csv").read_bytes().decode("gb18030")
    assert PHONE.search(raw)  # the register holds numbers in clear
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    assert cache_dir(db).stat().st_mode & 0o077 == 0 or pack(db).stat().st_mode & 0o077 == 0
    cells = 0
    for name in SECTIONS:
        path = section(db, name)
        assert path.stat().st_mode & 0o077 == 0  # owner only
        table = pa.ipc.open_file(path.read_bytes()).read_all()
        for column in table.columns:
            for value in column.to_pylist():
                if isinstance(value, str) and not HEX.fullmatch(value):
                    cells += 1
                    assert not PHONE.search(value), value
    assert cells > 1000


def test_taking_some_entries_keeps_exactly_their_rows():
    from etl.file_cache import ENTRY, _rows_of
    table = pa.concat_tables([pa.table({ENTRY: pa.array([0, 0, 1, 1, 1], pa.int32()), "v": list("abcde")}),
                              pa.table({ENTRY: pa.array([2, 3, 3, 4], pa.int32()), "v": list("fghi")})])
    for keep in ([0, 1, 2, 3, 4], [1, 3], [0, 4], [], [2], [3, 1]):
        got = _rows_of(table, np.array(keep, dtype=np.int32))
        # an independent filter, row by row
        want = [v for e, v in zip(table.column(ENTRY).to_pylist(), table.column("v").to_pylist(), strict=True)
                if e in keep]
        assert got.column("v").to_pylist() == want, keep


def test_the_pack_stores_rows_in_large_batches(tmp_path):
    from etl.file_cache import ENTRY
    cache = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    for i in range(300):  # 300 small files of 2 rows each
        part = sample_part(date(2023, 5, 22))
        rows = part.rows["ledger_snapshots"]
        part.rows["ledger_snapshots"] = pa.concat_tables([rows, rows.set_column(
            rows.schema.get_field_index("source_row"), "source_row", pa.array([4], pa.int32()))])
        cache.put(f"{i:064d}", part)
    cache.commit()
    reader = FileCache(tmp_path, "s", today=date(2026, 1, 5))
    taken = reader.take(sorted(reader.stored_keys()))
    ledger = taken.rows["ledger_snapshots"]
    assert ledger.num_rows == 600
    assert ledger.column(0).num_chunks == 1
    assert sorted(set(reader._taken["ledger_snapshots"].column(ENTRY).to_pylist())) == list(range(300))
