"""本地账号的登录在刷新、新开标签页、打开复制的链接后仍然有效：浏览器 cookie 里放一个随机令牌，
状态库只存它的 SHA-256（state/sessions.py），退出、超时、停用后令牌作废。

Streamlit 不能从服务器设置 cookie：令牌在下一次运行时用一小段脚本写进 cookie（SameSite=Strict，
HTTPS 下加 Secure），服务器从 st.context.cookies 读回。cookie 只有令牌，没有用户名或密码。
"""
from __future__ import annotations

import streamlit as st

from state import sessions
from state.security import load_security
from state.store import open_store

COOKIE = "dashboard_session"
K_TOKEN = "auth_token"            # this Streamlit session's token (to end it at sign-out)
K_PENDING = "auth_cookie_pending"  # "set" / "clear": written into the cookie at the next run


def remember(username: str) -> None:
    """登录成功：开一个会话令牌，下一次运行写进 cookie。"""
    st.session_state[K_TOKEN] = sessions.open_session(open_store(), username)
    st.session_state[K_PENDING] = "set"


def recall() -> sessions.SignInSession | None:
    """新的 Streamlit 会话（刷新、新标签页）：cookie 里的令牌仍有效时返回它的会话。"""
    token = st.context.cookies.get(COOKIE)
    found = sessions.resume(open_store(), token)
    if found is not None:
        st.session_state[K_TOKEN] = token
    return found


def still_valid() -> bool:
    """本会话的令牌仍有效（别的标签页退出、超时即失效）；没有令牌（单点登录、测试）视为有效。"""
    token = st.session_state.get(K_TOKEN)
    return token is None or sessions.resume(open_store(), token) is not None


def forget() -> None:
    sessions.end(open_store(), st.session_state.pop(K_TOKEN, None))
    st.session_state[K_PENDING] = "clear"


def write_cookie(slot) -> None:
    """把待写的令牌写进（或清出）cookie；每次运行调用（slot 是一个总在同一位置的 st.empty()），
    没有待写的就什么也不做。"""
    pending = st.session_state.pop(K_PENDING, None)
    token = st.session_state.get(K_TOKEN)
    if pending == "set" and token:
        value, age = token, load_security().session_max_hours * 3600
    elif pending == "clear":
        value, age = "", 0
    else:
        return
    # token_urlsafe: only [A-Za-z0-9_-], safe inside the quoted script string
    slot.html(f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; SameSite=Strict'"
            f" + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)
