"""操作日志（专班）：登录、上传、映射、重建、下载导出、查询台、账号管理，按时间倒序；可筛选、导出。
日志在状态库（state/audit.py），重建数据库不影响；其中不含投诉人的个人信息。"""
from datetime import date, timedelta

import streamlit as st

from dashboard import audited_download, auth
from reports import downloads
from state import audit
from state.roles import load_roles

auth.require("audit")
st.title("操作日志")
SHOW = 2000

c1, c2, c3 = st.columns([2, 1, 2])
period = c1.date_input("日期", value=(date.today() - timedelta(days=30), date.today()), key="aud_period", format="YYYY-MM-DD",
                       max_value=date.today())
who = c2.text_input("操作人", key="aud_actor", max_chars=64).strip()
actions = c3.multiselect("操作", list(audit.ACTION_LABELS), key="aud_actions", format_func=audit.ACTION_LABELS.get,
                         placeholder="全部操作")
since, until = (period if isinstance(period, tuple) and len(period) == 2 else (period[0], period[0]))
events = audit.list_events(auth.store(), since=since, until=until, actor=who or None, action=actions or None,
                           limit=SHOW + 1)
more = len(events) > SHOW
events = events.head(SHOW)
roles = load_roles()
table = events.assign(
    at=events["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    role=events["role"].map(lambda r: roles[r].label if r in roles else (r or "")),
    action=events["action"].map(lambda a: audit.ACTION_LABELS.get(a, a)),
    ok=events["ok"].map({True: "是", False: "否"}),
    detail=events["detail"].map(audit.detail_text),
).rename(columns=audit.COLUMN_LABELS)
st.caption(f"共 {len(table)} 条" + (f"（只显示最近的 {SHOW} 条，请缩小日期范围）" if more else "") + "，最新的在前。")
st.dataframe(table, hide_index=True, key="aud_table", column_config={"详情": st.column_config.TextColumn(width="large")})
d1, d2, _ = st.columns([1, 1, 4])
stamp = f"{since:%Y%m%d}-{until:%Y%m%d}"
audited_download.download_button("下载 Excel", lambda: downloads.xlsx_bytes(table, "操作日志"), f"操作日志_{stamp}.xlsx",
                                 what="操作日志（Excel）", permission="audit", container=d1, mime=downloads.XLSX_MIME,
                                 icon=":material/download:", key="aud_xlsx")
audited_download.download_button("下载 CSV", lambda: downloads.csv_bytes(table), f"操作日志_{stamp}.csv",
                                 what="操作日志（CSV）", permission="audit", container=d2, mime=downloads.CSV_MIME,
                                 icon=":material/download:", key="aud_csv")
