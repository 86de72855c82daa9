"""Accounts on both backends: passwords hashed, lock-out by the clock, disabled accounts, roles and
units, the last 专班 account kept, SSO binding, first administrator."""

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import select

from state import passwords
from state.accounts import (
    AccountError,
    account_for_sso,
    add_account,
    authenticate,
    authenticate_sso,
    change_password,
    count_accounts,
    ensure_first_admin,
    get_account,
    list_accounts,
    reset_password,
    set_active,
    set_role,
)
from state.schema import accounts, audit_log
from state.store import open_store
from tests import pg_server

postgres_url = pg_server.postgres_url  # this session's PostgreSQL cluster
state_db_url = pg_server.state_db_url  # a fresh store URL, once per backend

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def store(state_db_url):
    return open_store(state_db_url)


def _log(store):
    with store.engine.connect() as conn:
        return [r._asdict() for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


def test_generated_password_is_readable_and_only_its_hash_is_stored(store):
    pw = add_account(store, "wang", "专班", display_name="王科长", actor="系统")
    assert len(pw) == 16 and re.fullmatch(r"[A-Za-z2-9]+", pw) and not set(pw) & set("0OoIl1")
    with store.engine.connect() as conn:
        stored = conn.execute(select(accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and pw not in stored
    a = get_account(store, "wang")
    assert (a.display_name, a.role, a.must_change_password, a.has_password) == ("王科长", "office", True, True)
    assert "argon2" not in repr(a)
    assert authenticate(store, "wang", pw, now=T0).ok
    assert all(pw not in json.dumps(r, default=str) for r in _log(store))


def test_generated_passwords_differ():
    assert len({passwords.generate_password() for _ in range(50)}) == 50


def test_lockout_after_five_failures_for_fifteen_minutes(store):
    add_account(store, "li", "分析员", password="Li2024secret", actor="系统")
    for i in range(4):
        r = authenticate(store, "li", "wrong", now=T0 + timedelta(seconds=i))
        assert (r.ok, r.reason) == (False, "用户名或密码错误")
    assert get_account(store, "li").failed_count == 4
    fifth = authenticate(store, "li", "wrong", now=T0 + timedelta(seconds=4))
    assert fifth.reason == "账号已锁定，请于10:15后再试"  # T0+4s+15min = 02:15:04 UTC = 10:15 Beijing
    a = get_account(store, "li")
    assert (a.failed_count, a.locked_until) == (0, T0 + timedelta(minutes=15, seconds=4))
    assert a.locked(T0 + timedelta(minutes=14)) and not a.locked(T0 + timedelta(minutes=16))
    # Locked: even the right password is refused until the time is up.
    assert authenticate(store, "li", "Li2024secret", now=T0 + timedelta(minutes=14)).reason == "账号已锁定，请于10:15后再试"
    ok = authenticate(store, "li", "Li2024secret", now=T0 + timedelta(minutes=16))
    assert ok.ok and ok.account.username == "li" and ok.account.locked_until is None
    assert ok.account.last_sign_in_at == T0 + timedelta(minutes=16)
    reasons = [json.loads(r["detail"])["reason"] for r in _log(store) if r["action"] == "sign_in_failed"]
    assert reasons == ["wrong_password"] * 4 + ["locked_now", "locked"]


def test_success_resets_the_failure_count(store):
    add_account(store, "li", "分析员", password="Li2024secret", actor="系统")
    for _ in range(3):
        authenticate(store, "li", "wrong", now=T0)
    assert authenticate(store, "li", "Li2024secret", now=T0).ok
    assert get_account(store, "li").failed_count == 0
    for _ in range(4):  # four more do not lock: the count started again
        authenticate(store, "li", "wrong", now=T0)
    assert not get_account(store, "li").locked(T0)


def test_unknown_user_is_audited_with_the_typed_name_scrubbed(store):
    typed = "x" * 60 + "13812345678"
    r = authenticate(store, typed, "whatever1", now=T0)
    assert (r.ok, r.account, r.reason) == (False, None, "用户名或密码错误")
    [row] = _log(store)
    assert (row["actor"], row["action"], row["ok"], row["target"]) == ("匿名", "sign_in_failed", False, "x" * 60 + "****")
    assert row["at"] == T0


def test_unknown_user_takes_as_long_as_a_wrong_password(store, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=32768, parallelism=1))
    add_account(store, "li", "分析员", password="Li2024secret", actor="系统")

    def took(name):
        t = time.perf_counter()
        authenticate(store, name, "wrong", now=T0)
        return time.perf_counter() - t

    # Interleaved, fastest of 7: the other test worker's load hits both alike.
    pairs = [(took("li"), took("nobody")) for _ in range(7)]
    wrong, unknown = min(p[0] for p in pairs), min(p[1] for p in pairs)
    # Without the dummy hash an unknown name answers in about 1 ms, ~50x faster.
    assert 1 / 3 < unknown / wrong < 3, (unknown, wrong)


def test_disabled_account_is_refused_only_with_the_right_password(store):
    add_account(store, "admin", "专班", password="Admin2024pw", actor="系统")
    add_account(store, "li", "领导", password="Li2024secret", actor="admin")
    set_active(store, "li", False, "admin")
    assert authenticate(store, "li", "wrong", now=T0).reason == "用户名或密码错误"
    assert authenticate(store, "li", "Li2024secret", now=T0).reason == "账号已停用"
    set_active(store, "li", True, "admin")
    assert authenticate(store, "li", "Li2024secret", now=T0).ok
    assert [r["action"] for r in _log(store)][-4:] == ["sign_in_failed", "sign_in_failed", "user_enabled", "sign_in"]


def test_roles_and_units_are_validated(store):
    with pytest.raises(AccountError, match="未知角色：boss"):
        add_account(store, "a1", "boss", actor="系统")
    with pytest.raises(AccountError, match="单位角色必须指定所属单位"):
        add_account(store, "a1", "单位", actor="系统")
    with pytest.raises(AccountError, match="只有单位角色才能指定所属单位"):
        add_account(store, "a1", "leader", unit_id="linquan", actor="系统")
    with pytest.raises(AccountError, match="用户名须为"):
        add_account(store, "a b", "leader", actor="系统")
    add_account(store, "a1", "unit", unit_id="linquan", actor="系统")
    with pytest.raises(AccountError, match="用户名已存在：a1"):
        add_account(store, "a1", "leader", actor="系统")
    assert count_accounts(store) == 1


def test_password_rule(store):
    with pytest.raises(AccountError, match="密码至少 10 个字符，且须同时包含字母和数字"):
        add_account(store, "a1", "leader", password="short1", actor="系统")
    with pytest.raises(AccountError, match="密码至少 10 个字符"):
        add_account(store, "a1", "leader", password="onlyletterslong", actor="系统")
    with pytest.raises(AccountError, match="密码不能与用户名相同"):
        add_account(store, "zhang12345", "leader", password="Zhang12345", actor="系统")
    assert add_account(store, "a1", "leader", password="Letters123", actor="系统") is None


def test_change_password(store):
    pw = add_account(store, "li", "分析员", actor="系统")
    with pytest.raises(AccountError, match="原密码错误"):
        change_password(store, "li", "not-it-1", "NewPass2024")
    with pytest.raises(AccountError, match="新密码不能与原密码相同"):
        change_password(store, "li", pw, pw)
    change_password(store, "li", pw, "NewPass2024")
    assert not get_account(store, "li").must_change_password
    assert not authenticate(store, "li", pw, now=T0).ok
    assert authenticate(store, "li", "NewPass2024", now=T0).ok
    changed = [(r["actor"], r["ok"]) for r in _log(store) if r["action"] == "password_changed"]
    assert changed == [("li", False), ("li", True)]


def test_reset_password_unlocks_and_must_be_changed(store):
    add_account(store, "admin", "专班", password="Admin2024pw", actor="系统")
    add_account(store, "li", "分析员", password="Li2024secret", actor="admin")
    for _ in range(5):
        authenticate(store, "li", "wrong", now=T0)
    assert get_account(store, "li").locked(T0)
    new = reset_password(store, "li", "admin")
    a = get_account(store, "li")
    assert (a.locked_until, a.failed_count, a.must_change_password) == (None, 0, True)
    assert not authenticate(store, "li", "Li2024secret", now=T0).ok
    assert authenticate(store, "li", new, now=T0).ok
    reset = [r for r in _log(store) if r["action"] == "password_reset"]
    assert [(r["actor"], r["role"], r["target"]) for r in reset] == [("admin", "office", "li")]
    with pytest.raises(AccountError, match="账号不存在：nobody"):
        reset_password(store, "nobody", "admin")


def test_set_role_changes_scope(store):
    add_account(store, "admin", "专班", password="Admin2024pw", actor="系统")
    add_account(store, "u1", "单位", unit_id="linquan", campaign_id="fuyang-2023", actor="admin")
    set_role(store, "u1", "分析员", None, "admin")
    a = get_account(store, "u1")
    assert (a.role, a.unit_id, a.campaign_id, a.can("console"), a.can("upload")) == (
        "analyst", None, "fuyang-2023", True, False)
    set_role(store, "u1", "unit", "geermu", "admin", campaign_id="haixi-2023")
    a = get_account(store, "u1")
    assert (a.role, a.unit_id, a.campaign_id, a.role_info.scoped) == ("unit", "geermu", "haixi-2023", True)
    details = [json.loads(r["detail"]) for r in _log(store) if r["action"] == "role_changed"]
    assert details == [
        {"from": "unit", "to": "analyst", "unit_id": None, "from_unit_id": "linquan"},
        {"from": "analyst", "to": "unit", "unit_id": "geermu", "from_unit_id": None},
    ]


def test_the_last_office_account_cannot_be_disabled_or_demoted(store):
    add_account(store, "admin", "专班", password="Admin2024pw", actor="系统")
    with pytest.raises(AccountError, match="最后一个可用的专班账号"):
        set_active(store, "admin", False, "admin")
    with pytest.raises(AccountError, match="最后一个可用的专班账号"):
        set_role(store, "admin", "领导", None, "admin")
    add_account(store, "admin2", "office", password="Admin2024pw2", actor="admin")
    set_active(store, "admin", False, "admin2")
    assert [a.username for a in list_accounts(store) if a.active] == ["admin2"]


def test_sso_account(store):
    assert add_account(store, "zhao", "领导", sso_subject=" Zhao@Example.GOV.cn ", actor="系统") is None
    a = account_for_sso(store, "zhao@example.gov.cn")
    assert (a.username, a.has_password, a.sso_subject) == ("zhao", False, "zhao@example.gov.cn")
    assert authenticate(store, "zhao", "", now=T0).reason == "用户名或密码错误"
    assert authenticate_sso(store, "ZHAO@example.gov.cn", now=T0).account.last_sign_in_at == T0
    assert authenticate_sso(store, "qian@example.gov.cn", now=T0).reason == "该单点登录账号尚未在看板开通，请联系专班"
    with pytest.raises(AccountError, match="该单点登录标识已绑定其他账号"):
        add_account(store, "zhao2", "领导", sso_subject="zhao@example.gov.cn", actor="系统")
    add_account(store, "boss", "专班", password="Boss2024pass", actor="系统")
    set_active(store, "zhao", False, "boss")
    assert authenticate_sso(store, "zhao@example.gov.cn", now=T0).reason == "账号已停用"
    assert account_for_sso(store, "nobody@example.gov.cn") is None
    sso = [(r["actor"], r["action"], r["target"]) for r in _log(store) if r["action"].startswith("sign_in")]
    assert sso == [("zhao", "sign_in_failed", "zhao"), ("zhao", "sign_in", "zhao"),
                   ("匿名", "sign_in_failed", "qian@example.gov.cn"), ("zhao", "sign_in_failed", "zhao@example.gov.cn")]


def test_first_admin_only_on_an_empty_store(store):
    username, pw = ensure_first_admin(store)
    a = get_account(store, "admin")
    assert (username, a.role, a.must_change_password, a.display_name) == ("admin", "office", True, "管理员")
    assert authenticate(store, "admin", pw, now=T0).ok
    assert ensure_first_admin(store) is None
    assert count_accounts(store) == 1
