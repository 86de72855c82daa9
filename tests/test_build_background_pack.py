"""Issue 13: the data page's rebuild returns once the new database is in place; the build cache's new pack
is written afterwards by a thread that holds the build lock, so a next build waits for it and uses it."""
from __future__ import annotations

import threading

import pytest

import etl.file_cache
from tests.test_incremental_build import tables
from tests.test_incremental_cache import run, src  # noqa: F401 — src is a fixture


@pytest.fixture()
def paused_commit(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """(started, go): the pack commit signals started, then waits for go."""
    started, go = threading.Event(), threading.Event()
    real = etl.file_cache.FileCache.commit

    def commit(self):
        started.set()
        assert go.wait(30)
        real(self)

    monkeypatch.setattr(etl.file_cache.FileCache, "commit", commit)
    return started, go


def test_build_returns_before_the_pack_and_the_next_build_waits_for_it(tmp_path, src, paused_commit):  # noqa: F811
    started, go = paused_commit
    db = tmp_path / "inc" / "d.duckdb"
    first = run(src, db, pack_in_background=True)  # returns although the commit is paused
    assert started.wait(30)
    assert first.files_from_cache == 0
    assert tables(db)["leads"]  # the new database is in place already
    second: dict = {}
    waiter = threading.Thread(target=lambda: second.update(result=run(src, db, pack_in_background=True)))
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive()  # held up by the lock the pack writer holds
    go.set()
    waiter.join(60)
    assert not waiter.is_alive()
    assert second["result"].files_from_cache == 6  # it read the pack the first build wrote
    for thread in threading.enumerate():
        if thread.name == "build-cache-pack":
            thread.join(60)
    assert not (db.parent / f"{db.name}.lock").exists()  # released at the end


def test_a_failed_pack_still_releases_the_lock(tmp_path, src, monkeypatch):  # noqa: F811
    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(etl.file_cache.FileCache, "commit", broken)
    db = tmp_path / "inc" / "d.duckdb"
    run(src, db, pack_in_background=True)
    for thread in threading.enumerate():
        if thread.name == "build-cache-pack":
            thread.join(60)
    monkeypatch.undo()
    again = run(src, db, lock_timeout=5)  # not refused: the lock was released
    assert again.files_from_cache == 0  # nothing was stored
