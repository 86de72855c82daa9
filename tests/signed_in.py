"""AppTest 上以某个角色登录运行 app.py：在临时状态库里建账号，会话里放入登录信息（服务器端会话，浏览器改不了，
app.py 的 auth.gate() 照常核对账号、角色和超时）。"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import auth
from state import accounts
from state.store import open_store

PASSWORD = "Test-password-2026"


def state_store(monkeypatch, tmp_path: Path | None = None):
    """A fresh SQLite state store for one test (DASHBOARD_STATE_URL points at it)."""
    folder = Path(tmp_path or tempfile.mkdtemp(prefix="state-"))
    url = f"sqlite:///{folder / 'state.db'}"
    monkeypatch.setenv("DASHBOARD_STATE_URL", url)
    return open_store(url)


def app_as(monkeypatch, role: str = "office", unit_id: str | None = None, timeout: int = 60,
           username: str | None = None, tmp_path: Path | None = None) -> AppTest:
    """app.py 的 AppTest，已以 role（专班 office / 领导 leader / 单位 unit / 分析员 analyst）登录；尚未 run()。"""
    store = state_store(monkeypatch, tmp_path)
    username = username or f"{role}-{unit_id or 'all'}"
    if accounts.get_account(store, username) is None:
        accounts.add_account(store, username, role, unit_id=unit_id, password=PASSWORD, actor="测试")
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    now = time.time()
    at.session_state[auth.K_SESSION] = {"username": username, "since": now, "seen": now, "method": "本地账号"}
    return at
