"""会议模式的外框：议题页码（URL ?topic=3，复制链接即回到同一页）、上一页/下一页按钮与键盘翻页（←/→、
PageUp/PageDown）、隐藏 Streamlit 的页眉和侧栏（“筛选”按钮可临时打开侧栏）、每页上方的标题与筛选说明。"""
from __future__ import annotations

import streamlit as st

from analytics.filters import Filters

K_TOPIC = "mt_topic"              # 当前议题（1 起），URL 上的 topic 同步它
K_FILTERS = "mt_show_filters"     # 打开侧栏改筛选
K_PREV, K_NEXT = "mt_prev", "mt_next"
K_GOTO = "mt_goto"                # 翻页按钮的回调记下要去的页，本次运行再写进 URL（回调里改 URL 不会传到浏览器）
URL_KEY = "topic"

# 根字号随视口缩放：1366×768 与 1920×1080 版面相同、字按屏幕同比例放大（投影在同一块幕布上一样大）。
ROOT_FONT = "min(2.1vh,1.18vw)"
ROOT_FONT_1920 = 22.66   # 1920×1080 时的根字号（像素）：按像素画的图（地图）以此为设计尺寸，再随根字号缩放
CHROME_CSS = """
html{font-size:__ROOT__ !important;}
header[data-testid="stHeader"],[data-testid="stDecoration"],[data-testid="stToolbar"]{display:none !important;}
[data-testid="stMainBlockContainer"]{padding:0.7rem 2rem 0.4rem 2rem !important;max-width:none !important;}
/* 样式、脚本这类零高度的元素也占一个间距：主区域不留间距，标题栏自己留下边距 */
[data-testid="stMainBlockContainer"]>div>[data-testid="stVerticalBlock"]{gap:0 !important;}
.st-key-mt_bar{margin-bottom:0.9rem;}
.st-key-mt_keys{display:none !important;}
.st-key-mt_bar [data-testid="stButton"] button,.st-key-mt_bar [data-testid="stPageLink"] a{min-height:2.4rem;}
.st-key-mt_bar [data-testid="stButton"] button p,.st-key-mt_bar [data-testid="stPageLink"] a p{font-size:1.15rem;}
.st-key-mt_bar h1{font-size:2.3rem !important;font-weight:700;line-height:1.2 !important;padding:0 !important;
  margin:0 !important;color:#1f4e79;}
.st-key-mt_bar [data-testid="stVerticalBlock"]{gap:0.35rem;}
.st-key-mt_bar [data-testid="stHeading"]{margin:0 !important;}
.mt-stamp{font-size:1rem;color:#555;margin:0.45rem 0 0 0;line-height:1.3;}
.mt-stamp span{display:inline-block;}  /* 一项筛选尽量不拆到两行，太长时才在项内换行 */
.mt-page{font-size:1.5rem;font-weight:700;text-align:center;line-height:2.4rem;margin:0 0.6rem;white-space:nowrap;}
""".replace("__ROOT__", ROOT_FONT)


HIDE_SIDEBAR_CSS = """
section[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stExpandSidebarButton"]
{display:none !important;}
"""

# 按像素画的元素（plotly 地图）随根字号同比例缩放的比例：根字号 ÷ ROOT_FONT_1920（tan(atan2(a, b)) 是 CSS 里两个
# 长度之比，得一个数）。1920×1080 时为 1，1366×768 时约 0.71。
SCALE = f"tan(atan2({ROOT_FONT},{ROOT_FONT_1920}px))"


# 键盘翻页：脚本在组件的 iframe 里运行，把监听函数建在父页面（new P.Function），iframe 重建后仍有效，且只保留一个；
# 输入框里按键不翻页；找不到按钮（离开会议模式后）什么也不做。
KEYS_JS = """
<script>
(function () {
  const P = window.parent;
  const D = P.document;
  if (P.__meetingKeys) D.removeEventListener("keydown", P.__meetingKeys, true);
  P.__meetingKeys = new P.Function("e", `
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const key = {ArrowRight: "__NEXT__", PageDown: "__NEXT__", ArrowLeft: "__PREV__", PageUp: "__PREV__"}[e.key];
    if (!key) return;
    const b = document.querySelector(".st-key-" + key + " button");
    if (!b || b.disabled) return;
    e.preventDefault();
    b.click();
  `);
  D.addEventListener("keydown", P.__meetingKeys, true);
})();
</script>
""".replace("__NEXT__", K_NEXT).replace("__PREV__", K_PREV)


def parse_topic(raw, n: int) -> int | None:
    """URL 上的 topic → 1..n；无效时 None。"""
    try:
        t = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return t if 1 <= t <= n else None


def current_topic(n: int) -> int:
    """当前议题：URL 的 topic（打开链接时），否则本会话上次看的一页，否则第 1 页；无效的 topic 说明后回到第 1 页。"""
    ss, qp = st.session_state, st.query_params
    raw = qp.get(URL_KEY)
    topic = parse_topic(ss.pop(K_GOTO, None), n)
    if topic is None and raw is not None:
        topic = parse_topic(raw, n)
    if raw is not None and topic is None:
        st.toast(f"链接中的页码“{raw}”无效（应为 1～{n}），已显示第 1 页。", icon=":material/error:")
        topic = 1
    if topic is None:
        topic = parse_topic(ss.get(K_TOPIC), n) or 1
    ss[K_TOPIC] = topic
    if qp.get(URL_KEY) != str(topic):
        qp[URL_KEY] = str(topic)
    return topic


def _go(topic: int) -> None:
    st.session_state[K_GOTO] = topic


def _toggle_filters() -> None:
    st.session_state[K_FILTERS] = not st.session_state.get(K_FILTERS, False)


def apply_css() -> None:
    css = CHROME_CSS + ("" if st.session_state.get(K_FILTERS) else HIDE_SIDEBAR_CSS)
    st.html(f"<style>{css}</style>")


def stamp(f: Filters) -> str:
    """专项整治、数据截至、对比上期与其余筛选，一行小字。"""
    name = f.campaign.get("short_name") or f.campaign.get("name") or f.campaign_id
    described = f.describe()
    date_part = f"统计日 {f.as_of:%Y-%m-%d}"
    described = (described.replace(date_part, f"数据截至 {f.as_of:%Y-%m-%d}", 1) if date_part in described
                 else f"数据截至 {f.as_of:%Y-%m-%d}　|　{described}")
    if not f.units:
        described += "　|　全部单位"
    return f"{name}　|　{described}"


def top_bar(topic: int, titles: tuple[str, ...], f: Filters) -> None:
    """标题与筛选说明在左，翻页、页码、筛选、退出在右。"""
    from html import escape

    n = len(titles)
    # 横排：标题块占剩余宽度，按钮按文字宽度（侧栏打开、正文变窄时按钮文字也不被截成“上…”）
    with st.container(key="mt_bar", horizontal=True, vertical_alignment="top", gap="small", wrap=False):
        with st.container(width="stretch", gap=None):
            st.title(titles[topic - 1], anchor=False)
            parts = "　|　".join(f"<span>{escape(p)}</span>" for p in stamp(f).split("　|　"))
            st.html(f'<p class="mt-stamp">{parts}</p>')
        st.button("上一页", key=K_PREV, icon=":material/chevron_left:", disabled=topic <= 1,
                  on_click=_go, args=(topic - 1,), width="content")
        st.html(f'<p class="mt-page">{topic}/{n}</p>', width="content")
        st.button("下一页", key=K_NEXT, icon=":material/chevron_right:", disabled=topic >= n,
                  on_click=_go, args=(topic + 1,), width="content")
        st.button("筛选", key="mt_filters", icon=":material/filter_alt:", on_click=_toggle_filters, width="content")
        st.page_link("pages/overview.py", label="退出", icon=":material/close:", width="content")


def keyboard() -> None:
    with st.container(key="mt_keys"):
        st.iframe(KEYS_JS, height=1)
