"""重建看板数据库不碰状态库：账号、操作日志在重建前后一字不差（状态库文件的内容和修改时间都不变）。"""
from __future__ import annotations

import hashlib
import os

from dashboard import upload
from state import accounts, audit
from state.store import open_store


def _digest(path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_rebuild_leaves_accounts_and_log_untouched(tmp_path, monkeypatch):
    state_file = tmp_path / "state" / "state.db"
    state_file.parent.mkdir()
    url = f"sqlite:///{state_file}"
    monkeypatch.setenv("DASHBOARD_STATE_URL", url)
    store = open_store(url)
    accounts.add_account(store, "zhuanban", "office", password="Rebuild-test-2026", actor="测试")
    accounts.add_account(store, "linquan", "unit", unit_id="linquan", password="Rebuild-test-2026", actor="zhuanban")
    audit.record(store, "zhuanban", "upload", target="台账.xlsx", detail={"大小": 10})
    store.dispose()  # a checkpointed WAL: the file on disk holds everything
    before_rows = (len(accounts.list_accounts(store)), len(audit.list_events(store, limit=None)))
    store.dispose()
    before = _digest(state_file)

    db = tmp_path / "db" / "dashboard.duckdb"
    result = upload.rebuild(db, uploads=tmp_path / "uploads")
    assert db.is_file() and result.summary_rows()  # a real build happened (the bundled sample)

    assert _digest(state_file) == before
    assert not any(p.name != "state.db" and not p.name.startswith("state.db") for p in state_file.parent.iterdir())
    after_rows = (len(accounts.list_accounts(store)), len(audit.list_events(store, limit=None)))
    assert after_rows == before_rows == (2, 3)  # 2 accounts; user_added ×2 + upload
    assert os.environ["DASHBOARD_STATE_URL"] == url
