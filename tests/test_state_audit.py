"""Audit log on both backends: phones scrubbed from every string, secrets hidden, filters by day in
Beijing time, newest first; every action id has a Chinese label."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from state import audit
from state.audit import ACTION_LABELS, COLUMN_LABELS, list_events, record
from state.schema import audit_log
from state.store import open_store
from tests import pg_server

postgres_url = pg_server.postgres_url  # this session's PostgreSQL cluster
state_db_url = pg_server.state_db_url  # a fresh store URL, once per backend

CONTRACT_ACTIONS = ["sign_in", "sign_in_failed", "sign_out", "upload", "mapping_saved", "rebuild", "download",
                    "console_query", "user_added", "user_disabled", "user_enabled", "password_reset",
                    "role_changed", "password_changed"]


@pytest.fixture
def store(state_db_url):
    return open_store(state_db_url)


def _raw(store):
    with store.engine.connect() as conn:
        return conn.execute(select(audit_log.c.target, audit_log.c.detail).order_by(audit_log.c.id)).all()


def test_console_query_text_is_stored_without_phone_numbers(store):
    sql = "select * from leads where phone = '13812345678' or remark like '%0558-2345678%'"
    record(store, "fenxi", "console_query", role="analyst", target="查询台",
           detail={"sql": sql, "rows": 3, "params": ["+86 139 1234 5678", {"note": "回电 15912345678"}]})
    [(target, detail)] = _raw(store)
    assert target == "查询台"
    assert json.loads(detail) == {
        "sql": "select * from leads where phone = '*******5678' or remark like '%0558-*****78%'",
        "rows": 3,
        "params": ["*******5678", {"note": "回电 *******5678"}],
    }
    for digits in ("13812345678", "2345678", "1391234", "15912345678"):
        assert digits not in detail


def test_target_and_actor_are_scrubbed_and_secrets_hidden(store):
    record(store, "匿名13812345678", "download", target="线索明细_13812345678.xlsx",
           detail={"password": "Secret2024", "new_pwd": "x", "token": "abc", "filters": {"unit": "linquan"}})
    with store.engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
    assert (row.actor, row.target) == ("匿名*******5678", "线索明细_*******5678.xlsx")
    assert json.loads(row.detail) == {"password": "（已隐去）", "new_pwd": "（已隐去）", "token": "（已隐去）",
                                      "filters": {"unit": "linquan"}}


def test_list_events_filters_by_beijing_day_newest_first(store):
    record(store, "a", "upload", detail={"size": 10}, at=datetime(2024, 3, 1, 15, 59, tzinfo=UTC))  # 3月1日 23:59
    record(store, "b", "rebuild", ok=False, at=datetime(2024, 3, 1, 16, 0, tzinfo=UTC))  # 3月2日 00:00
    record(store, "a", "download", at=datetime(2024, 3, 3, 1, 0, tzinfo=UTC))  # 3月3日 09:00
    df = list_events(store)
    assert list(df.columns) == list(COLUMN_LABELS) == ["at", "actor", "role", "action", "target", "detail", "ok"]
    assert list(df["action"]) == ["download", "rebuild", "upload"]
    assert df["at"].iloc[1].isoformat() == "2024-03-02T00:00:00+08:00"
    assert list(df["ok"]) == [True, False, True] and df["ok"].dtype == bool
    assert list(df["detail"]) == ["", "", '{"size": 10}'] and list(df["role"]) == ["", "", ""]
    assert list(list_events(store, since=date(2024, 3, 2))["action"]) == ["download", "rebuild"]
    assert list(list_events(store, until=date(2024, 3, 1))["action"]) == ["upload"]
    assert list(list_events(store, since=date(2024, 3, 2), until=date(2024, 3, 2))["action"]) == ["rebuild"]
    assert list(list_events(store, since=datetime(2024, 3, 2, 0, 0))["action"]) == ["download", "rebuild"]
    assert list(list_events(store, actor="a")["action"]) == ["download", "upload"]
    assert list(list_events(store, action=["upload", "rebuild"])["actor"]) == ["b", "a"]
    assert list(list_events(store, action="download", actor="b")["action"]) == []
    assert len(list_events(store, limit=2)) == 2


def test_empty_log_has_the_columns(store):
    df = list_events(store)
    assert (len(df), list(df.columns)) == (0, list(COLUMN_LABELS))


def test_action_ids_are_checked(store):
    with pytest.raises(ValueError, match="审计操作名须为简短英文标识"):
        record(store, "a", "上传")
    assert _raw(store) == []


def test_every_action_has_a_chinese_label():
    assert list(ACTION_LABELS) == CONTRACT_ACTIONS + ["session_expired", "upload_deleted", "upload_refused"] + [
        f"supervision_{a}" for a in ("created", "feedback", "returned", "verified", "closed", "noticed", "edited")]
    assert ACTION_LABELS["console_query"] == "查询台查询"
    assert audit.ANONYMOUS == "匿名"
