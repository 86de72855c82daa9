"""专项整治工作专班看板：登录、页面配置、侧栏共享筛选、按角色分组导航。运行：make run"""
from urllib.parse import urlparse

import duckdb
import streamlit as st

from dashboard import auth, browser_session, chrome, db, filters, ui
from dashboard.sign_in import change_password_page, no_permission_page, sign_in_page

st.set_page_config(page_title="专项整治工作专班看板", page_icon="🚦", layout="wide",
                   initial_sidebar_state="expanded")
# 没有图表的页面（地址的最后一段）：不预先加载图表模块（见 dashboard/chrome.py）
NO_CHARTS = ("meeting", "supervision", "explore", "users", "audit_log", "password")
page_path = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
# Streamlit 自带的英文菜单、工具栏、上传框说明：隐藏或换成中文（登录页也是）
chrome.apply(ui.BASE_CSS, preload_charts=page_path not in NO_CHARTS)

# 每页所需的权限（角色与权限见 data/roles.toml）；没有权限的页面不进导航，页面里再核对一次。
PAGES = {
    "会议总览": [
        ("view", st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True)),
        ("view", st.Page("pages/meeting.py", title="会议模式", icon=":material/slideshow:")),
    ],
    "督导分析": [
        ("view", st.Page("pages/unit_progress.py", title="县区进度", icon=":material/leaderboard:")),
        ("view", st.Page("pages/county_map.py", title="县区地图", icon=":material/map:")),
        ("view", st.Page("pages/hotspots.py", title="问题热点", icon=":material/grid_on:")),
        ("view", st.Page("pages/relapse.py", title="反弹问题", icon=":material/replay:")),
        ("view", st.Page("pages/satisfaction.py", title="满意度", icon=":material/sentiment_satisfied:")),
        ("view", st.Page("pages/leads.py", title="线索办理", icon=":material/call:")),
        ("view", st.Page("pages/supervision.py", title="督办", icon=":material/flag:")),
    ],
    "数据": [
        ("console", st.Page("pages/explore.py", title="数据探索", icon=":material/terminal:")),
        ("upload", st.Page("pages/data_admin.py", title="数据管理", icon=":material/upload_file:")),
    ],
    "管理": [
        ("admin", st.Page("pages/users.py", title="用户管理", icon=":material/manage_accounts:")),
        ("audit", st.Page("pages/audit_log.py", title="操作日志", icon=":material/history:")),
    ],
}

account_page = st.Page(change_password_page, title="修改密码", icon=":material/password:", url_path="password")
ALL_PAGES = [page for pages in PAGES.values() for _, page in pages] + [account_page]


def stand_ins(pages, render) -> list:
    """Hidden pages at the same addresses: a link to a page this visitor may not open shows `render` (sign-in
    or 没有权限) instead of Streamlit's English "Page not found"; after signing in the link opens the page."""
    return [st.Page(render, title=p.title, url_path=p.url_path, visibility="hidden") for p in pages if p.url_path]


me = auth.gate()
if me is None:
    st.navigation([st.Page(sign_in_page, title="登录", icon=":material/login:", url_path="login", default=True),
                   *stand_ins(ALL_PAGES, sign_in_page)]).run()
    st.stop()

if me.account.must_change_password:
    nav = st.navigation([st.Page(change_password_page, title="修改密码", icon=":material/password:", default=True),
                         *stand_ins(ALL_PAGES, change_password_page)])
else:
    allowed = {group: [page for perm, page in pages if perm in me.role.permissions] for group, pages in PAGES.items()}
    allowed = {group: pages for group, pages in allowed.items() if pages}
    allowed["账号"] = [account_page] if me.account.has_password else []  # SSO-only: no password of ours
    shown = {p.url_path for pages in allowed.values() for p in pages}
    allowed["账号"] += stand_ins([p for p in ALL_PAGES if p.url_path not in shown], no_permission_page)
    nav = st.navigation(allowed, expanded=True)

cookie_slot = st.sidebar.empty()  # always there, so writing the cookie never shifts the page's widgets
browser_session.write_cookie(cookie_slot)  # the sign-in token, once, after a local sign-in
st.sidebar.markdown("### 专项整治工作专班看板")
st.sidebar.caption(f"{me.account.display_name or me.account.username}（{me.role.label}"
                   f"{' · ' + auth.unit_label(me) if me.role.scoped else ''}）")
if st.sidebar.button("退出登录", key="sign_out", icon=":material/logout:"):
    auth.sign_out()
if me.account.must_change_password:
    nav.run()
    st.stop()

f = None
if db.db_exists():
    try:
        f = filters.sidebar()
        if f is None:
            st.sidebar.warning("数据库中还没有专项整治数据。请运行 `make db`，或到“数据管理”上传文件。")
    except duckdb.Error as e:
        st.session_state[filters.K_STATE] = None
        st.sidebar.error(f"数据库无法读取（{type(e).__name__}）。请运行 `make db` 重新生成。")
else:
    st.session_state[filters.K_STATE] = None
    st.sidebar.warning(ui.NO_DB.format(path=db.db_path()))

if f is not None and f.big:
    ui.big_font_css()
nav.run()
