"""Issue 13: a build hashes only the files whose stat changed since the last build (the pack's file_stats,
as git's index). A file rewritten with the same size and modification time is still seen as changed (its
change time moved), and a file changed within the racy window of its hashing is hashed again next time."""
from __future__ import annotations

import os

import pytest

import etl.file_cache
from tests.test_incremental_build import tables
from tests.test_incremental_cache import SALT, run, src  # noqa: F401 — src is a fixture

LEDGER = "临泉县_整改台账_20230522.xlsx"


@pytest.fixture()
def hashed(monkeypatch) -> list[str]:
    """The names of the files whose content the build hashed."""
    names: list[str] = []
    real = etl.file_cache.sha256_of

    def counting(path):
        names.append(path.name)
        return real(path)

    monkeypatch.setattr(etl.file_cache, "sha256_of", counting)
    monkeypatch.setattr("etl.build.sha256_of", counting)
    return names


def test_unchanged_files_are_not_hashed_again(tmp_path, src, hashed, monkeypatch):  # noqa: F811
    monkeypatch.setattr(etl.file_cache, "RACY_NS", 0)  # the test's files were written just now
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    assert len(hashed) == 6
    hashed.clear()
    again = run(src, db)
    assert hashed == []
    assert again.files_from_cache == 6


def test_same_size_and_mtime_but_new_content_is_read_again(tmp_path, src, hashed, monkeypatch):  # noqa: F811
    monkeypatch.setattr(etl.file_cache, "RACY_NS", 0)
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    old_tables = tables(db)
    path = src / LEDGER
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01  # one byte changed (the zip no longer opens), the same size
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old modification time put back
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    hashed.clear()
    result = run(src, db)
    assert hashed == [LEDGER]
    assert result.files_from_cache == 5
    cold = tmp_path / "cold" / "c.duckdb"
    run(src, cold, cache=False)
    assert tables(cold) != old_tables  # the change shows in a cold build …
    assert tables(db) == tables(cold)  # … and in the incremental one


def test_files_changed_just_before_hashing_are_hashed_every_time(tmp_path, src, hashed):  # noqa: F811
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)  # every file was written less than RACY_NS ago: none is recorded
    hashed.clear()
    again = run(src, db)
    assert sorted(hashed) == sorted(p.name for p in src.iterdir())
    assert again.files_from_cache == 6


def test_a_moved_file_is_hashed_at_its_new_path(tmp_path, src, hashed, monkeypatch):  # noqa: F811
    monkeypatch.setattr(etl.file_cache, "RACY_NS", 0)
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db)
    (src / "sub").mkdir()
    os.rename(src / LEDGER, src / "sub" / LEDGER)
    hashed.clear()
    result = run(src, db)
    assert hashed == [LEDGER]
    assert result.files_from_cache == 6  # same content and name: its result is reused
