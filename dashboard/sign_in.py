"""登录页与修改密码页（未登录时导航里只有登录页；首次登录或密码被重置后只有修改密码页）。"""
from __future__ import annotations

import streamlit as st

from dashboard import auth, browser_session
from state import accounts

TITLE = "专项整治工作专班看板"


def sign_in_page() -> None:
    browser_session.write_cookie(st.empty())  # clears the cookie after a sign-out
    st.title(TITLE)
    st.caption("交通运输执法领域突出问题专项整治 · 请登录后使用")
    notice = st.session_state.get(auth.K_NOTICE)
    if notice:
        st.info(notice)
    left, _ = st.columns([2, 3])
    with left:
        if auth.sso_configured():
            if st.button("使用统一身份认证登录", type="primary", key="sso_login"):
                st.session_state.pop(auth.K_NOTICE, None)
                st.login(auth.SSO_PROVIDER)
            if notice and auth.sso_user_signed_in():
                if st.button("换用其他统一身份认证账号", key="sso_logout"):
                    st.logout()
            st.caption("或使用本系统账号：")
        with st.form("sign_in", clear_on_submit=False):
            username = st.text_input("用户名", key="sign_in_user", max_chars=64)
            password = st.text_input("密码", type="password", key="sign_in_password", max_chars=256)
            go = st.form_submit_button("登录", type="primary")
        if go:
            result = accounts.authenticate(auth.store(), username.strip(), password)
            if result.ok:
                auth.start_session(result.account, "本地账号")
                browser_session.remember(result.account.username)
                st.rerun()
            st.error(result.reason)
        st.caption("忘记密码或账号被锁定：请联系专班管理员重置。")


def no_permission_page() -> None:
    me = auth.current()
    st.title("没有权限")
    st.error(f"您的账号（{me.role.label}）不能使用这个页面。请从左侧选择其他页面；需要这项权限请联系专班。"
             if me else "请先登录。", icon=":material/block:")


def change_password_page() -> None:
    me = auth.current()
    st.title("修改密码")
    if me.account.must_change_password:
        st.warning("这是首次登录或密码已被重置：请先设置自己的新密码。")
    with st.form("change_password"):
        old = st.text_input("当前密码", type="password", max_chars=256)
        new = st.text_input("新密码", type="password", max_chars=256)
        again = st.text_input("再次输入新密码", type="password", max_chars=256)
        go = st.form_submit_button("保存新密码", type="primary")
    if go:
        if new != again:
            st.error("两次输入的新密码不一致。")
            return
        try:
            accounts.change_password(auth.store(), me.account.username, old, new)
        except accounts.AccountError as exc:
            st.error(str(exc))
            return
        st.success("新密码已保存。")
        st.rerun()
