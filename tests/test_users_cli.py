"""python -m dashboard.users in a subprocess against a temp SQLite store: effects and Chinese output."""

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from state.accounts import authenticate, get_account
from state.audit import list_events
from state.store import close_store, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def url(tmp_path):
    u = f"sqlite:///{tmp_path / 'state.db'}"
    yield u
    close_store(u)


def users(url, *args):
    env = {**os.environ, "DASHBOARD_STATE_URL": url}
    p = subprocess.run([sys.executable, "-m", "dashboard.users", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def _password(stdout: str) -> str:
    return re.search(r"^    ([A-Za-z2-9]{16})$", stdout, re.M).group(1)


def test_add_list_disable_enable_reset(url):
    rc, out, err = users(url, "add", "wang", "--role", "专班", "--display", "王科长")
    assert (rc, err) == (0, "")
    assert out.startswith("已新增账号 wang（专班）。\n账号 wang 的初始密码（只显示这一次")
    pw = _password(out)
    store = open_store(url)
    assert authenticate(store, "wang", pw).ok

    rc, out, _ = users(url, "add", "linquan1", "--role", "单位", "--unit", "临泉县交通运输局")
    assert rc == 0 and "已新增账号 linquan1（单位，临泉县交通运输局）。" in out
    a = get_account(store, "linquan1")
    assert (a.role, a.unit_id, a.campaign_id, a.must_change_password) == ("unit", "linquan", "fuyang-2023", True)

    rc, out, _ = users(url, "list")
    assert rc == 0
    assert out.splitlines() == [
        "用户名\t显示名\t角色\t单位\t状态\t登录方式\t最近登录",
        "linquan1\tlinquan1\t单位\t临泉县交通运输局\t正常\t密码\t从未登录",
        out.splitlines()[2],
        "共 2 个账号。",
    ]
    assert re.fullmatch(r"wang\t王科长\t专班\t全部\t正常\t密码\t\d{4}-\d\d-\d\d \d\d:\d\d", out.splitlines()[2])

    assert users(url, "disable", "linquan1")[:2] == (0, "已停用账号 linquan1。\n")
    old = _password(users(url, "reset", "linquan1")[1])  # reset is allowed on a disabled account
    assert authenticate(store, "linquan1", old).reason == "账号已停用"
    assert users(url, "enable", "linquan1")[:2] == (0, "已启用账号 linquan1。\n")
    rc, out, _ = users(url, "reset", "linquan1")
    assert rc == 0 and out.startswith("已重置账号 linquan1 的密码并解除锁定。\n")
    assert not authenticate(store, "linquan1", old).ok
    assert authenticate(store, "linquan1", _password(out)).ok

    cli = f"命令行:{getpass.getuser()}"
    log = list_events(store)
    assert list(log[log["actor"] == cli]["action"])[::-1] == [
        "user_added", "user_added", "user_disabled", "password_reset", "user_enabled", "password_reset"]
    assert all(pw not in d for d in log["detail"])


def test_set_role_and_unit_by_id(url):
    users(url, "add", "boss", "--role", "office")
    assert users(url, "add", "u1", "--role", "analyst")[0] == 0
    rc, out, _ = users(url, "set-role", "u1", "--role", "单位", "--unit", "geermu")
    assert (rc, out) == (0, "已将账号 u1 改为单位（格尔木市交通运输局）。\n")
    a = get_account(open_store(url), "u1")
    assert (a.role, a.unit_id, a.campaign_id) == ("unit", "geermu", "haixi-2023")
    assert users(url, "set-role", "u1", "--role", "领导")[:2] == (0, "已将账号 u1 改为领导。\n")
    a = get_account(open_store(url), "u1")
    assert (a.role, a.unit_id) == ("leader", None)


def test_sso_account_has_no_password(url):
    rc, out, _ = users(url, "add", "zhao", "--role", "领导", "--sso", "zhao@example.gov.cn")
    assert (rc, out) == (0, "已新增账号 zhao（领导）。\n该账号通过单点登录（zhao@example.gov.cn）进入，没有本地密码。\n")
    assert get_account(open_store(url), "zhao").sso_subject == "zhao@example.gov.cn"


@pytest.mark.parametrize("args, message", [
    (["add", "x1", "--role", "单位", "--unit", "nowhere"], "错误：未知单位：nowhere"),
    (["add", "x1", "--role", "单位"], "错误：单位角色必须指定所属单位"),
    (["add", "x1", "--role", "局长"], "错误：未知角色：局长（角色：专班（office）、领导（leader）、单位（unit）、分析员（analyst））"),
    (["add", "x1", "--role", "单位", "--unit", "linquan", "--campaign", "haixi-2023"], "错误：未知单位：linquan"),
    (["disable", "ghost"], "错误：账号不存在：ghost"),
])
def test_errors_are_chinese_and_exit_1(url, args, message):
    rc, out, err = users(url, *args)
    assert (rc, out) == (1, "")
    assert err.startswith(message)
