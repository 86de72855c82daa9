"""下载按钮的唯一入口：没有相应权限不显示；点击时以当前用户的名义记入操作日志（下载了什么、当时的筛选）。"""
from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import auth, filters


def current_filters() -> dict[str, Any]:
    """当前侧栏筛选（写进操作日志）。"""
    f = filters.current()
    if f is None:
        return {}
    return {"专项整治": f.campaign_id, "统计日": f.as_of.isoformat(), "单位": list(f.units),
            "问题方面": list(f.categories), "来源渠道": list(f.channels)}


def _record(what: str, file_name: str) -> None:
    auth.record("download", target=what, detail={"文件名": file_name, **current_filters()})


def download_button(label: str, data: Any, file_name: str, *, what: str, permission: str = "export",
                    container: Any = None, **kwargs: Any) -> bool:
    """st.download_button，外加权限检查和操作日志；没有权限时什么都不显示，返回 False。"""
    if not auth.has(permission):
        return False
    (container or st).download_button(label, data, file_name=file_name, on_click=_record,
                                      args=(what, file_name), **kwargs)
    return True
