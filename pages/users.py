"""用户管理（专班）：账号列表；新增账号（本地密码或统一身份认证）；停用/启用、重置密码、修改角色和单位。
账号存在状态库（state/），重建数据库不影响；每个操作记入操作日志。生成的密码只显示一次。"""
import pandas as pd
import streamlit as st

from dashboard import auth, filters
from etl.config import list_campaigns, load_campaign
from state import accounts
from state.roles import load_roles
from state.security import load_security

me = auth.require("admin")
store = auth.store()
roles = load_roles()
TZ = load_security().tz  # data/security.toml display_timezone, as the audit log uses
f = filters.current()
campaign_id = f.campaign_id if f is not None else (list_campaigns() or [None])[0]
units = {u.id: u.name for u in load_campaign(campaign_id).units} if campaign_id else {}

st.title("用户管理")
st.caption("角色：" + "；".join(f"**{r.label}**：{r.description}" for r in roles.values()))

shown = st.session_state.pop("usr_once", None)
if shown:
    st.warning(f"{shown[0]}的密码（只显示这一次，请当面或通过安全渠道交给本人；首次登录须修改）：", icon=":material/key:")
    st.code(shown[1], language=None)
notice = st.session_state.pop("usr_notice", None)
if notice:
    getattr(st, notice[0])(notice[1])


def _state(a: accounts.Account) -> str:
    if not a.active:
        return "已停用"
    if a.locked():
        return f"已锁定（至 {pd.Timestamp(a.locked_until).tz_convert(TZ):%H:%M}）"
    return "正常"


def _time(t) -> str:
    return "" if t is None else f"{pd.Timestamp(t).tz_convert(TZ):%Y-%m-%d %H:%M}"


rows = accounts.list_accounts(store)
table = pd.DataFrame([{
    "用户名": a.username, "姓名": a.display_name, "角色": roles[a.role].label if a.role in roles else a.role,
    "所属单位": units.get(a.unit_id, a.unit_id or ""), "统一身份标识": a.sso_subject or "",
    "本地密码": "有" if a.has_password else "无", "状态": _state(a), "须改密码": "是" if a.must_change_password else "",
    "最近登录": _time(a.last_sign_in_at), "创建时间": _time(a.created_at)} for a in rows])
st.dataframe(table, hide_index=True, key="usr_table")

role_ids = list(roles)


def _role_and_unit(prefix: str, role_default: str = "leader", unit_default: str | None = None):
    c1, c2 = st.columns(2)
    role = c1.selectbox("角色", role_ids, index=role_ids.index(role_default), key=f"{prefix}_role",
                        format_func=lambda r: roles[r].label)
    unit = None
    if roles[role].scoped:
        ids = list(units)
        unit = c2.selectbox("所属单位", ids, index=ids.index(unit_default) if unit_default in ids else 0,
                            key=f"{prefix}_unit", format_func=units.get)
    return role, unit


def _do(action, success: str) -> None:
    try:
        out = action()
    except accounts.AccountError as exc:
        st.session_state["usr_notice"] = ("error", str(exc))
    else:
        st.session_state["usr_notice"] = ("success", success)
        if isinstance(out, str):
            st.session_state["usr_once"] = (success.split("：")[-1], out)
    st.rerun()


st.subheader("新增账号")
with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    new_name = c1.text_input("用户名", key="usr_new_name", max_chars=64, help="2–64 个字母、数字、汉字或 . _ - @")
    new_display = c2.text_input("姓名", key="usr_new_display", max_chars=40)
    new_sso = c3.text_input("统一身份认证邮箱（可不填）", key="usr_new_sso", max_chars=200,
                            help="填写后该用户可用统一身份认证登录，不设本地密码")
    new_role, new_unit = _role_and_unit("usr_new")
    if st.button("新增账号", type="primary", key="usr_add", icon=":material/person_add:"):
        _do(lambda: accounts.add_account(store, new_name, new_role, unit_id=new_unit, campaign_id=campaign_id,
                                         display_name=new_display, sso_subject=new_sso or None,
                                         actor=me.account.username),
            f"已新增账号：{new_name.strip()}")

st.subheader("修改账号")
names = [a.username for a in rows]
who = st.selectbox("选择账号", names, index=None, key="usr_pick", placeholder="选择要修改的账号…")
if who:
    target = next(a for a in rows if a.username == who)
    with st.container(border=True):
        b1, b2, _ = st.columns([1, 1, 2])
        if target.active:
            if b1.button("停用账号", key="usr_disable", icon=":material/block:"):
                _do(lambda: accounts.set_active(store, who, False, me.account.username), f"已停用：{who}")
        elif b1.button("启用账号", key="usr_enable", icon=":material/check_circle:"):
            _do(lambda: accounts.set_active(store, who, True, me.account.username), f"已启用：{who}")
        if target.has_password or not target.sso_subject:
            if b2.button("重置密码", key="usr_reset", icon=":material/lock_reset:"):
                _do(lambda: accounts.reset_password(store, who, me.account.username), f"已重置密码：{who}")
        role, unit = _role_and_unit("usr_edit", target.role, target.unit_id)
        if st.button("保存角色和单位", key="usr_set_role", icon=":material/save:"):
            _do(lambda: accounts.set_role(store, who, role, unit, me.account.username), f"已修改角色：{who}")
