"""登录、角色与单位范围（AppTest，在夹具库上）。

AppTest 的陷阱：第一次 run() 之后，AppTest 每次把 PagesManager 复位成“按 pages/ 目录的旧式多页应用”，
switch_page().run() 只执行那个页面文件、不再执行 app.py——所以这里每个场景用新的 AppTest 跑 app.py 一次；
切到无权页面时考的正是页面自己的第二道检查（auth.require / 读数据时的 current_scope）。：未登录只有登录页；表单登录、错误密码、锁定；会话超时；
停用立即生效；须改密码时只有修改密码页；各角色的导航与页内权限；单位账号的数字等于该单位的 SQL 真值；
这些操作记入操作日志。浏览器里的同样检查见 tests/test_browser_roles.py。"""
from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from analytics.queries import QueryRunner
from dashboard import auth
from state import accounts, audit
from tests.app_pages import APP_PAGES
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2
from tests.signed_in import PASSWORD, app_as, state_store

UNIT = "taihe"


@pytest.fixture()
def env(fixture_db, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    return state_store(monkeypatch, tmp_path)


def _anonymous() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60)


def _kpi(at: AppTest) -> dict[str, str]:
    return {m.label.split("（")[0]: m.value for m in at.metric}


def test_anonymous_sees_only_the_sign_in_form(env):
    at = _anonymous().run()
    assert not at.exception
    assert at.title[0].value == "专项整治工作专班看板"
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric and not at.dataframe
    for page in APP_PAGES:  # the only registered page is 登录: no data page can be navigated to
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # only sign-in stand-ins
            at.switch_page(page)
    # a page file run on its own (no app.py frame, no sign-in): refused, no numbers, no tables
    for page in APP_PAGES:
        at = AppTest.from_file(f"../{page}", default_timeout=60).run()
        assert not at.metric and not at.dataframe and not at.text_area and not at.get("file_uploader"), page


def test_form_sign_in_wrong_password_and_lock_out(env):
    accounts.add_account(env, "zhang", "leader", password=PASSWORD, actor="测试")
    at = _anonymous().run()
    at.text_input(key="sign_in_user").input("zhang")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert not at.metric
    for _ in range(4):  # security.toml: locked after 5 consecutive failures
        at.text_input(key="sign_in_password").input("wrong-password")
        at.button[0].click().run()
    assert "锁定" in at.error[0].value
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert "锁定" in at.error[0].value and not at.metric  # the right password does not open a locked account
    events = audit.list_events(env, actor="zhang")
    assert (events["action"] == "sign_in_failed").sum() >= 5 and "sign_in" not in set(events["action"])


def test_sign_in_shows_overview_and_records_it(env, fixture_db):
    accounts.add_account(env, "li", "office", password=PASSWORD, actor="测试")
    at = _anonymous().run()
    at.text_input(key="sign_in_user").input("li")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert "查摆问题数" in _kpi(at)
    assert "li（专班）" in " ".join(c.value for c in at.caption)
    assert list(audit.list_events(env, actor="li")["action"]) == ["sign_in"]
    assert [b.label for b in at.sidebar.button] == ["退出登录"]  # clicked in tests/test_browser_roles.py


@pytest.mark.parametrize("idle_minutes, signed_in", [(29, True), (31, False)])  # security.toml: 30 minutes
def test_idle_session_expires(env, monkeypatch, idle_minutes, signed_in):
    at = app_as(monkeypatch, "leader")
    at.session_state[auth.K_SESSION] = {**at.session_state[auth.K_SESSION], "seen": time.time() - idle_minutes * 60}
    at.run()
    assert ("查摆问题数" in _kpi(at)) is signed_in
    if not signed_in:
        assert "请重新登录" in at.info[0].value
        assert list(audit.list_events(auth.store(), action="session_expired")["actor"]) == ["leader-all"]


def test_a_disabled_account_loses_its_open_session(env, monkeypatch):
    at = app_as(monkeypatch, "analyst")  # signed in earlier: the session holds only the user name
    store = auth.store()
    accounts.add_account(store, "boss", "office", password=PASSWORD, actor="测试")
    accounts.set_active(store, "analyst-all", False, actor="boss")
    at.run()
    assert not at.metric and "停用" in at.info[0].value


def test_must_change_password_first(env, monkeypatch):
    at = app_as(monkeypatch, "leader")
    store = auth.store()
    accounts.add_account(store, "boss", "office", password=PASSWORD, actor="测试")
    accounts.reset_password(store, "leader-all", actor="boss")
    at.run()
    assert at.title[0].value == "修改密码" and not at.metric


@pytest.mark.parametrize("role, allowed, refused", [
    ("leader", [], ["pages/explore.py", "pages/data_admin.py", "pages/users.py", "pages/audit_log.py"]),
    ("analyst", ["pages/explore.py"], ["pages/data_admin.py", "pages/users.py", "pages/audit_log.py"]),
    ("unit", ["pages/data_admin.py"], ["pages/explore.py", "pages/users.py", "pages/audit_log.py"]),
    ("office", ["pages/explore.py", "pages/data_admin.py", "pages/users.py", "pages/audit_log.py"], []),
])
def test_pages_each_role_can_open(env, monkeypatch, role, allowed, refused):
    at = app_as(monkeypatch, role, unit_id=UNIT if role == "unit" else None)
    at.run()
    for page in [p for p in APP_PAGES if p not in refused]:
        at.switch_page(page).run()
        assert not at.exception, (role, page, [e.value for e in at.exception])
        assert not at.error or page == "pages/satisfaction.py", (role, page, [e.value for e in at.error])
    for page in refused:  # not in the role's navigation; run on its own, the page refuses by itself
        at.switch_page(page).run()
        assert [e.value for e in at.error] == ["您的账号没有这项权限。"], (role, page)
        assert not at.dataframe and not at.text_area and not at.get("file_uploader"), (role, page)
    assert set(allowed) <= set(APP_PAGES)


def test_leader_has_brief_but_no_table_downloads(env, monkeypatch):
    at = app_as(monkeypatch, "leader")
    at.run()
    assert any(b.label == "生成本期工作简报" for b in at.button)
    assert not at.get("download_button")


def test_unit_numbers_are_its_own(env, monkeypatch, fixture_db):
    at = app_as(monkeypatch, "unit", unit_id=UNIT)
    at.run()
    r = QueryRunner(fixture_db)
    try:
        mine = r.run("kpi_overview", campaign_id=CAMPAIGN_ID, as_of=S2, units=[UNIT], categories=[],
                     channels=[]).iloc[0]
        everyone = r.run("kpi_overview", campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[],
                         channels=[]).iloc[0]
    finally:
        r.close()
    assert int(mine["problems"]) != int(everyone["problems"])
    assert _kpi(at)["查摆问题数"] == str(int(mine["problems"]))
    assert at.session_state["flt_state"].unit_names.keys() == {UNIT}
    at.switch_page("pages/unit_progress.py").run()
    tables = [d.value for d in at.dataframe]
    units = {v for t in tables for c in t.columns if c in ("单位", "县区") for v in t[c]}
    assert units and all("太和" in u for u in units), units
