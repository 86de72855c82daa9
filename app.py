"""专项整治工作专班看板：页面配置、侧栏共享筛选、分组导航。运行：streamlit run app.py"""
import duckdb
import streamlit as st

from dashboard import db, filters, ui

st.set_page_config(page_title="专项整治工作专班看板", page_icon="🚦", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = {
    "会议总览": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    ],
    "督导分析": [
        st.Page("pages/unit_progress.py", title="县区进度", icon=":material/leaderboard:"),
        st.Page("pages/hotspots.py", title="问题热点", icon=":material/grid_on:"),
        st.Page("pages/relapse.py", title="反弹问题", icon=":material/replay:"),
        st.Page("pages/satisfaction.py", title="满意度", icon=":material/sentiment_satisfied:"),
        st.Page("pages/leads.py", title="线索办理", icon=":material/call:"),
    ],
    "数据": [
        st.Page("pages/explore.py", title="数据探索", icon=":material/terminal:"),
        st.Page("pages/data_admin.py", title="数据管理", icon=":material/upload_file:"),
    ],
}

nav = st.navigation(PAGES)
st.sidebar.markdown("### 专项整治工作专班看板")

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

if f is not None:
    ui.big_font_css(f.big)
nav.run()
