"""页面助手：图表/表格带 CSV 下载、无数据提示、口径说明、KPI 指标卡。页面只用这些和 db.run_query。"""
from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import metrics
from analytics.page_data.table_layout import TableLayout
from dashboard import audited_download, db, filters
from dashboard.charts.base import PLOTLY_CONFIG, style
from dashboard.labels import chinese_columns
from reports import downloads

NO_DATA = "当前筛选条件下没有数据。请放宽侧栏中的单位、问题方面或来源渠道，或换一个统计日。"
NO_DB = ("还没有可用的数据库（{path}）。请在项目目录运行 `make db` 生成数据库，"
         "或到“数据管理”页面上传各单位报送的文件后重新生成。")

def csv_bytes(df: pd.DataFrame, labels: dict[str, str] | None = None) -> bytes:
    """中文列名的下载 CSV：经 reports.downloads（带 BOM 的 UTF-8，以 = + - @ 等开头的文字加单引号不成公式）。"""
    return downloads.csv_bytes(chinese_columns(df, labels))


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)


def download(df, name: str, key: str, label: str = "下载数据（CSV）", labels: dict[str, str] | None = None) -> None:
    """CSV 下载按钮。CSV 只在点击时生成（st.download_button 的 data 传零参函数，streamlit ≥ 1.49），
    页面每次运行不再为每个按钮转换一遍数据。df 也可以是返回 DataFrame 的零参函数（点击时才查询）。"""
    f = filters.current()
    suffix = f"_{f.as_of:%Y%m%d}" if f else ""

    def build() -> bytes:
        return csv_bytes(df() if callable(df) else df, labels)

    audited_download.download_button(label, build, f"{_safe(name)}{suffix}.csv", what=f"表格：{name}",
                                     mime=downloads.CSV_MIME, key=f"dl_{key}", icon=":material/download:")


def no_data(msg: str = NO_DATA) -> None:
    st.info(msg, icon=":material/filter_alt_off:")


def chart(fig: go.Figure | None, data: pd.DataFrame, name: str, key: str,
          on_select: bool = False, selection_mode=("points",), height: int | None = None):
    """画图 + 下载其数据；data 为空时显示中文提示、不画空坐标轴。

    fig 可以是 Figure 或返回 Figure 的零参函数（数据为空时不调用）。
    on_select=True 时返回 st.plotly_chart 的选择状态（event.selection.points）。
    """
    if data is None or data.empty:
        st.markdown(f"**{name}**")
        no_data()
        return None
    if callable(fig):
        fig = fig()
    f = filters.current()
    style(fig, big=bool(f and f.big), height=height)
    event = st.plotly_chart(
        fig, key=f"chart_{key}", on_select="rerun" if on_select else "ignore",
        selection_mode=selection_mode, config=PLOTLY_CONFIG)
    download(data, name, key)
    return event if on_select else None


def table(df: pd.DataFrame, name: str, key: str, column_config: dict | None = None,
          height: int | str = "auto", download_data: pd.DataFrame | None = None,
          hide: tuple[str, ...] = (), labels: dict[str, str] | None = None, layout: TableLayout | None = None) -> None:
    """中文列名表格 + CSV 下载；空表显示中文提示。hide 中的列（如内部编号 problem_id）只在下载里有；
    labels：这张表里含义不同于通用字典的列名（如台账报送节点的 due_date，见 labels.REPORT_DUE_LABELS）。
    layout（analytics/page_data/table_layout.fit）：只显示其中的列，按它的列宽、行高（1366 宽投影下整张放得下）；
    column_config 里同名列的类型、格式照用，宽度以 layout 为准。"""
    if df is None or df.empty:
        no_data()
        return
    shown = df.drop(columns=[c for c in hide if c in df.columns])
    row_height = None
    if layout is not None:
        shown, height, row_height = shown[layout.columns], layout.height, layout.row_height
        column_config = fitted_columns(layout, column_config)
    st.dataframe(chinese_columns(shown, labels), hide_index=True, column_config=column_config, height=height,
                 row_height=row_height, key=f"tbl_{key}")
    download(download_data if download_data is not None else df, name, key, labels=labels)


def fitted_columns(layout: TableLayout, column_config: dict | None = None) -> dict:
    """layout 的列宽写进 column_config（没有配置的列按文字列）。"""
    given = column_config or {}
    return {name: {**(given.get(name) or st.column_config.TextColumn()), "width": px}
            for name, px in layout.widths.items()}


def on_demand(label: str, key: str):
    """收起的折叠框，内容只在展开时生成、发送（展开时重跑一次页面）：页面打开时不为没人看的说明和明细
    多画一批元素。用法：``box = ui.on_demand(...)``，``if box.open: with box: ...``。"""
    return st.expander(label, key=key, on_change="rerun")


def explain(*keys: str, title: str = "指标口径") -> None:
    """折叠框列出所用指标的中文名和一句话解释（定义在 analytics/metrics.py）；展开时才生成。"""
    box = on_demand(title, "explain_" + "_".join(keys))
    if box.open:
        box.markdown("\n".join(f"- **{metrics.METRICS[k].label}**：{metrics.METRICS[k].help}" for k in keys))


def kpi(col, key: str, value: str | int, delta: str | None = None, inverse: bool = False,
        label: str | None = None) -> None:
    """一个 KPI 指标卡：中文名 + 口径提示 + 与上期相比的变化。inverse=True 表示增加是坏事（如逾期）。"""
    flat = delta in (None, "持平")  # 持平不画箭头（st.metric 对任何变化文字都画箭头）
    col.metric(label or metrics.label(key), value, delta=delta,
               delta_color="off" if flat else ("inverse" if inverse else "normal"),
               delta_arrow="off" if flat else "auto", help=metrics.help_text(key), border=True)


K_DRILL_CLICKED = "drill_button_clicked"  # drill_view.show_list says where the list opened, once


def drill_button(col, key: str, on_click, args: tuple = (), label: str = "查看清单", help: str | None = None) -> None:
    """指标卡下的“查看清单”按钮：打开这个数字背后的清单（dashboard/drill_view.py）。"""
    def clicked(*args) -> None:
        st.session_state[K_DRILL_CLICKED] = True
        on_click(*args)

    col.button(label, key=f"drill_btn_{key}", on_click=clicked, args=args, icon=":material/list:",
               type="tertiary", help=help or "列出这个数字背后的每一行，可下载")


def kpi_rate(col, key: str, num, den, delta: str | None = None, inverse: bool = False) -> None:
    """比率指标卡：数值只写百分比（一行放得下），分子/分母写在标签里——比率始终连同分子分母显示。"""
    n = 0 if metrics._is_missing(num) else int(num)
    d = 0 if metrics._is_missing(den) else int(den)
    kpi(col, key, metrics.fmt_pct(metrics.rate(n, d)), delta, inverse,
        label=f"{metrics.label(key)}（{n}/{d}）")


def require_filters() -> filters.Filters:
    """页面开头调用：返回当前筛选；数据库不可用时显示中文提示并停止该页面。"""
    f = filters.current()
    if f is None:
        st.warning(NO_DB.format(path=db.db_path()), icon=":material/database:")
        st.stop()
    return f


def page_header(title: str, f: filters.Filters) -> None:
    st.title(title)
    st.caption(f"{f.campaign.get('short_name') or f.campaign_id}（{f.campaign.get('doc_number', '')}）"
               f"　|　{f.describe()}")
    for w in filters.url_warnings(f):  # 链接里的无效日期、单位等：说明改用了什么
        st.warning(w, icon=":material/link_off:")


BASE_CSS = (
    "<style>[data-testid='stMetricValue'] div,[data-testid='stMetricValue'] p{white-space:normal !important;"
    "overflow:visible !important;text-overflow:clip !important;line-height:1.15;}"
    "[data-testid='stMetricValue']{font-size:1.75rem;}"
    # 标签（如“满意度得分（2023年，523份）”“线索按时办结率（566/770）”）换行而不截断；所有指标卡等高
    "[data-testid='stMetricLabel'],[data-testid='stMetricLabel'] div,[data-testid='stMetricLabel'] p"
    "{white-space:normal !important;overflow:visible !important;text-overflow:clip !important;}"
    # 变化（“+0.4个百分点”）也换行：投影大字号下一行放不下时不截成“…”
    "[data-testid='stMetricDelta'] div,[data-testid='stMetricDelta'] p"
    "{white-space:normal !important;overflow:visible !important;text-overflow:clip !important;}"
    # 一排指标卡（st.columns 的各列）一样高：卡片撑满所在列（列本来就与最高的一列等高），卡下的“查看清单”按钮
    # 留在底部。大字号下标签换行多少不同、有的卡有变化一行，卡片曾高矮不齐。
    "[data-testid='stColumn']:has(> [data-testid='stVerticalBlock'] > [data-testid='stElementContainer']"
    " > [data-testid='stMetric']) > [data-testid='stVerticalBlock']{height:100%;}"
    "[data-testid='stElementContainer']:has(> [data-testid='stMetric']){flex-grow:1;display:flex;"
    "flex-direction:column;}"
    "[data-testid='stElementContainer'] > [data-testid='stMetric']{flex-grow:1;}"
    # 侧栏的专项整治下拉框：名称较长时换行显示完整（不截断成“…突出问…”）
    ".st-key-flt_campaign [data-baseweb='select'] div{white-space:normal !important;"
    "overflow:visible !important;text-overflow:clip !important;line-height:1.3;}"
    # Streamlit's English hint under text boxes ("Press Ctrl+Enter to submit form", "Press Enter to apply")
    "[data-testid='InputInstructions']{display:none;}"
    "</style>")
EQUAL_KPI_CSS = "<style>[data-testid='stMetric']{min-height:9.2rem;}</style>"


def equal_kpi_height() -> None:
    """本页指标卡等高（标签换行、有无变化箭头的卡片高度一致）。只有 <style> 的 st.html 不占版面，也不像
    st.markdown(unsafe_allow_html) 那样让浏览器为它加载 HTML 解析模块（约 190 KB）。"""
    st.html(EQUAL_KPI_CSS)


def big_font_css() -> None:
    """投影模式：放大指标卡的数值和标签（BASE_CSS 由 app.py 随 dashboard/chrome.py 的 CSS 一起加上）。"""
    st.html("<style>[data-testid='stMetricValue']{font-size:2.6rem;}"
            "[data-testid='stMetricLabel'] p{font-size:1.3rem;}"
            "[data-testid='stMetricDelta']{font-size:1.2rem;}</style>")
