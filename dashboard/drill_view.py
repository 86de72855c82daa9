"""下钻清单的显示：带边框的一块，标题、件数（比率：其中计入分子的）、生效的“只看…”、关闭按钮、表格与审计过的 CSV 下载。"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.page_data import drill
from dashboard import ui


def show_list(lst: drill.DrillList, key: str, on_close: Callable[[], None] | None = None,
              caption: str | None = None, full_rows: Callable[[], pd.DataFrame] | None = None) -> None:
    """一份清单。key 也是容器的 CSS 类（st-key-drill_<key>），浏览器测试靠它找到清单。
    full_rows：清单只显示前若干行时（lst.summary 写明），下载取的完整清单（点击下载时才查询）。"""
    if st.session_state.pop(ui.K_DRILL_CLICKED, False):
        # at 1366×768 a list opened from a KPI card lands below the screen: without a word the click looks lost
        st.toast("清单已在下方打开，请向下滚动查看", icon=":material/arrow_downward:")
    with st.container(border=True, key=f"drill_{key}"):
        head, close = st.columns([6, 1], vertical_alignment="center")
        head.markdown(f"**清单：{lst.title}**　{lst.summary}")
        if on_close is not None:
            close.button("关闭清单", key=f"drill_close_{key}", icon=":material/close:", on_click=on_close,
                         type="tertiary")
        if caption:
            st.caption(caption)
        if lst.rows.empty:
            ui.no_data("这份清单没有行（所选数字为 0，或“只看…”筛掉了全部）。")
            return
        ui.table(lst.rows, lst.title, f"drill_{key}", hide=drill.HIDDEN, labels=drill.LABELS, download_data=full_rows)


def chart_points(event) -> list[dict]:
    """st.plotly_chart(on_select="rerun") 的选择 → 点的列表（没有选择时为空）。"""
    try:
        return list(event.selection.points) if event else []
    except AttributeError:
        return []


def new_pick(sig_key: str, value: str | None) -> str | None:
    """图上的新选择（与上次不同）才算数：返回它；同一选择在后续运行里不再返回，以免盖掉别处的操作。"""
    if not value:
        st.session_state.pop(sig_key, None)  # 选择清空（再点一次同一根柱）后，再点它又算新选择
        return None
    if st.session_state.get(sig_key) == value:
        return None
    st.session_state[sig_key] = value
    return value
