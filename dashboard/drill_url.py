"""页面自己的状态放进链接（st.query_params），复制链接即可复现：下钻选择、热力图显示方式、县区进度所选单位、
“只看…”开关。侧栏筛选的键在 dashboard/filters.py（SIDEBAR_KEYS）；这里是各页面的键，互不重叠。

链接只在一个会话里第一次打开该页面时读（与侧栏筛选相同），之后以页面上的选择为准、每次运行写回链接；
别的页面的键在本页运行时删掉。链接里的值无效时用 bad_value() 说明用了什么代替，不悄悄换掉。
"""
from __future__ import annotations

import streamlit as st

from analytics.page_data.drill import ONLY_LABELS

PAGE_KEYS = {
    "overview": ("ov", "only"),                # ov=kpi.overdue / unit.linquan
    "unit_progress": ("focus", "up", "only"),  # focus=单位明细的单位；up=done.linquan（柱）
    "hotspots": ("mode", "hs", "only"),        # mode=share；hs=unit.linquan~category.逐利执法
    "leads": ("stage", "only"),                # stage=concluded（漏斗环节）
}
ALL_KEYS = tuple(dict.fromkeys(k for keys in PAGE_KEYS.values() for k in keys))
K_LOADED = "drill_url_loaded_{}"


class PageUrl:
    """一个页面在链接里的状态。"""

    def __init__(self, page: str):
        self.page = page
        self.keys = PAGE_KEYS[page]
        self.from_url = not st.session_state.get(K_LOADED.format(page), False)

    def get(self, key: str) -> str | None:
        """会话里第一次打开本页时链接中的值（没有为 None）；之后总是 None。"""
        if not self.from_url:
            return None
        return st.query_params.get(key) or None

    def get_all(self, key: str) -> list[str]:
        if not self.from_url:
            return []
        try:
            return [v for v in st.query_params.get_all(key) if v]
        except Exception:  # noqa: BLE001
            return []

    def write(self, **values: str | list[str] | None) -> None:
        """把本页的状态写进链接（None / 空 = 去掉该键），并去掉别的页面的键。"""
        st.session_state[K_LOADED.format(self.page)] = True
        qp = st.query_params
        for key in ALL_KEYS:
            want = values.get(key) if key in self.keys else None
            if isinstance(want, (list, tuple)):
                want = [str(v) for v in want] or None
            have = qp.get_all(key) if isinstance(want, list) else qp.get(key)
            if want in (None, ""):
                if key in qp:
                    del qp[key]
            elif have != want:
                qp[key] = want


def bad_value(what: str, value: str, used: str) -> None:
    """链接中的值无效：说明是哪个值、改用了什么。"""
    st.warning(f"链接中的{what}“{value}”无效，已改用{used}。", icon=":material/link_off:")


def only_toggles(url: PageUrl, options: tuple[str, ...], key: str) -> tuple[str, ...]:
    """“只看逾期 / 只看超期办结 / 只看红色单位”开关（一行）；链接键 only 可重复：only=overdue&only=red。"""
    if url.from_url:
        wanted = url.get_all("only")
        for v in wanted:
            if v not in ONLY_LABELS:  # 别的页面的“只看…”（如线索页的超期办结）在本页不适用，不算错
                bad_value("筛选“只看…”", v, "不筛选该项")
        for o in options:
            st.session_state[f"{key}_{o}"] = o in wanted
    cols = st.columns(len(options) + 2)
    return tuple(o for i, o in enumerate(options) if cols[i].toggle(ONLY_LABELS[o], key=f"{key}_{o}"))
