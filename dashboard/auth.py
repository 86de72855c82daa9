"""登录与权限：本地账号（状态库，argon2）或统一身份认证（st.login，OIDC），会话超时，退出；
按角色给页面和操作授权，单位账号的数据范围由 ``current_scope()`` 交给读数据的地方（dashboard/db.py）。

会话里只存用户名和时间（服务器端 session_state，浏览器改不了）；每次运行由 app.py 调 ``gate()``
重新核对账号（停用、改角色立即生效）和超时，页面再用 ``current_account()`` / ``has()`` / ``require()``。
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from analytics.scope import UnitScope
from dashboard import browser_session
from state import accounts, audit
from state.roles import Role, load_roles
from state.security import load_security
from state.store import open_store

K_SESSION = "auth_session"     # {"username", "since", "seen", "method"}
K_ACCOUNT = "auth_account"     # SignedIn for this run, set by gate()
K_NOTICE = "auth_notice"       # a message for the sign-in page (超时、已退出…)
SSO_PROVIDER = "idp"           # [auth.idp] in .streamlit/secrets.toml


@dataclass(frozen=True)
class SignedIn:
    account: accounts.Account
    role: Role
    method: str  # 本地账号 / 统一身份认证

    @property
    def scope(self) -> UnitScope | None:
        return UnitScope(self.account.unit_id, self.account.campaign_id) if self.role.scoped else None

    @property
    def scope_unit(self) -> str | None:
        return self.account.unit_id if self.role.scoped else None


def store():
    return open_store()


def start_session(account: accounts.Account, method: str, since: float | None = None) -> None:
    now = time.time()
    st.session_state[K_SESSION] = {"username": account.username, "since": since or now, "seen": now, "method": method}
    st.session_state.pop(K_NOTICE, None)


def _end_session(notice: str | None) -> None:
    st.session_state.pop(K_SESSION, None)
    st.session_state.pop(K_ACCOUNT, None)
    if notice:
        st.session_state[K_NOTICE] = notice


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own error type
        return False


def sso_user_signed_in() -> bool:
    return sso_configured() and bool(getattr(st.user, "is_logged_in", False))


def _last_session_end(username: str) -> float | None:
    """该账号上次退出登录或会话超时的时刻（审计日志里，各副本共用）。"""
    ev = audit.list_events(store(), actor=username, action=["sign_out", "session_expired"], limit=1)
    return None if ev.empty else ev["at"].iloc[0].timestamp()


def _session_from_sso() -> None:
    """统一身份认证已回来（st.user 有登录），本系统还没有会话：按邮箱/标识找到开通的账号。
    拒绝时不调 st.logout()：它让浏览器跳到 /auth/logout 再开新会话，session_state 里的提示就丢了；
    K_NOTICE 挡住本会话里的重试，刷新后同样的身份仍被同样拒绝。"""
    policy = load_security()
    issued = float(st.user.get("iat") or 0)
    # Trap: Streamlit's identity cookie lives 30 days and is read by every new session (reload, new tab):
    # the IdP sign-in time (iat) must be within session_max_hours and after the last sign-out/expiry.
    if time.time() - issued > policy.session_max_hours * 3600:
        st.session_state[K_NOTICE] = f"统一身份认证登录已超过 {policy.session_max_hours} 小时，请重新登录。"
        return
    subject = str(st.user.get("email") or st.user.get("sub") or "")
    bound = accounts.account_for_sso(store(), subject)
    ended = _last_session_end(bound.username) if bound else None
    if ended is not None and issued < int(ended):
        st.session_state[K_NOTICE] = "上次登录已退出或超时，请重新登录。"
        return
    result = accounts.authenticate_sso(store(), subject)  # writes sign_in / sign_in_failed
    if not result.ok:
        st.session_state[K_NOTICE] = f"{result.reason}（{subject}）"
        return
    start_session(result.account, "统一身份认证", since=issued)


def _resume_session() -> None:
    """新的 Streamlit 会话：先看本地账号的会话 cookie，再看统一身份认证。"""
    found = browser_session.recall()
    if found is not None:
        account = accounts.get_account(store(), found.username)
        if account is not None and account.active:
            start_session(account, "本地账号", since=found.created_at.timestamp())
            return
        browser_session.forget()
    if sso_user_signed_in():
        _session_from_sso()


def gate() -> SignedIn | None:
    """每次运行开头调用一次：核对会话（超时、账号停用或删除），返回当前用户，未登录为 None。"""
    st.session_state.pop(K_ACCOUNT, None)
    session = st.session_state.get(K_SESSION)
    if session is None and K_NOTICE not in st.session_state:
        _resume_session()
        session = st.session_state.get(K_SESSION)
    if session is None:
        return None
    policy = load_security()
    now = time.time()
    if not browser_session.still_valid():  # signed out (or timed out) in another tab of this browser
        _end_session("已在其他页面退出登录或登录已超时，请重新登录。")
        return None
    if now - session["seen"] > policy.session_idle_minutes * 60 or now - session["since"] > policy.session_max_hours * 3600:
        browser_session.forget()
        audit.record(store(), session["username"], "session_expired")
        _end_session(f"已超过 {policy.session_idle_minutes} 分钟未操作或登录超过 {policy.session_max_hours} 小时，请重新登录。")
        return None  # the identity cookie stays, but _session_from_sso refuses it (issued before this expiry)
    account = accounts.get_account(store(), session["username"])
    roles = load_roles()
    if account is None or not account.active or account.role not in roles:
        browser_session.forget()
        _end_session("账号已停用或已删除，请联系专班管理员。")
        return None
    session["seen"] = now
    signed = SignedIn(account, roles[account.role], session["method"])
    st.session_state[K_ACCOUNT] = signed
    return signed


def current() -> SignedIn | None:
    return st.session_state.get(K_ACCOUNT)


def has(permission: str) -> bool:
    me = current()
    return me is not None and permission in me.role.permissions


def require(permission: str) -> SignedIn:
    """页面或操作开头：没有该权限就说明原因并停止（不只是藏起按钮）。"""
    me = current()
    if me is None or permission not in me.role.permissions:
        st.error("您的账号没有这项权限。" if me else "请先登录。")
        st.stop()
    return me


def unit_label(me: SignedIn) -> str:
    """单位账号所属单位的名称（取自专项整治配置；找不到时为单位编号）。"""
    from state.units import unit_choices

    return next((u.name for u in unit_choices(me.account.campaign_id) if u.unit_id == me.account.unit_id),
                me.account.unit_id or "")


def current_scope() -> UnitScope | None:
    """读数据时绑定的范围：单位账号为其单位（及专项整治），其他角色为 None（全部）；未登录时拒绝读数据。"""
    me = current()
    if me is None:
        raise PermissionError("未登录，不能读取数据")
    return me.scope


def actor() -> tuple[str, str | None]:
    me = current()
    return (me.account.username, me.account.role) if me else ("匿名", None)


def record(action: str, *, target: str | None = None, detail: dict | None = None, ok: bool = True) -> None:
    """以当前用户的名义写一条审计记录。"""
    name, role = actor()
    audit.record(store(), name, action, role=role, target=target, detail=detail, ok=ok)


def sign_out() -> None:
    me = current()
    if me is not None:
        record("sign_out")
    browser_session.forget()
    _end_session("已退出登录。")
    if me is not None and me.method == "统一身份认证" and sso_user_signed_in():
        st.logout()
        st.stop()  # st.logout() only queues the redirect: the rest of app.py would read data as nobody
    else:
        st.rerun()
