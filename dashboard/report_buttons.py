"""会议材料的下载按钮（reports/ 生成文件，这里只放按钮）：

- 总览页：``brief_download_button(campaign_id, as_of)`` —— 工作简报 .docx、表格 .xlsx 与会议幻灯片 .pptx；
- 数据管理页：``template_download_buttons(campaign_id)`` —— 选单位下载填报模板；
  ``ledger_download_button(campaign_id, as_of, units=...)`` —— 合并台账（方案版式）。

这些文件自己排版，每格都经 reports.safe_cells.set_cell 写入（文字不成公式）；页面上的表格下载走
reports.downloads。tests/test_exports_safe.py 检查每个下载按钮。
"""
from __future__ import annotations

from datetime import date

from dashboard import audited_download, auth, db
from reports.downloads import XLSX_MIME

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def brief_download_button(campaign_id: str, as_of: date) -> None:
    """生成并下载本期工作简报（.docx）、简报表格（.xlsx）和会议幻灯片（.pptx，与简报同一份数据）。
    点击“生成”后才计算，避免每次刷新都出图。"""
    import streamlit as st

    from reports.brief_data import collect
    from reports.brief_docx import write_docx
    from reports.brief_xlsx import write_xlsx
    from reports.deck import write_deck
    from reports.fonts import FontNotFound

    if not auth.has("brief"):
        return
    scope = db.scope_unit()  # 单位账号的简报只含本单位
    key = f"brief_{campaign_id}_{as_of:%Y%m%d}_{scope.unit_id if scope else 'all'}"
    if st.button("生成本期工作简报", key=key + "_go",
                 help="按当前统计日生成简报（Word）、表格（Excel）与会议幻灯片（PPT）"):
        try:
            with st.spinner("正在生成简报和会议幻灯片……"):
                data = collect(db.db_path(), campaign_id, as_of, scope_unit=scope)
                st.session_state[key] = (write_docx(data), write_xlsx(data), write_deck(data))
        except FontNotFound as exc:
            st.error(str(exc))
            return
    if key in st.session_state:
        docx_bytes, xlsx_bytes, pptx_bytes = st.session_state[key]
        c1, c2, c3 = st.columns(3)
        audited_download.download_button("下载简报（Word）", docx_bytes,
                                         f"工作简报_{campaign_id}_{as_of:%Y%m%d}.docx", what="工作简报（Word）",
                                         permission="brief", container=c1, mime=DOCX_MIME, key=key + "_docx")
        audited_download.download_button("下载简报表格（Excel）", xlsx_bytes,
                                         f"工作简报表格_{campaign_id}_{as_of:%Y%m%d}.xlsx", what="工作简报表格（Excel）",
                                         permission="brief", container=c2, mime=XLSX_MIME, key=key + "_xlsx")
        audited_download.download_button("下载会议幻灯片（PPT）", pptx_bytes,
                                         f"会议幻灯片_{campaign_id}_{as_of:%Y%m%d}.pptx", what="会议幻灯片（PPT）",
                                         permission="brief", container=c3, mime=PPTX_MIME, key=key + "_pptx")


def ledger_download_button(campaign_id: str, as_of: date, units=(), categories=(), channels=()) -> None:
    """按当前筛选导出合并台账（方案版式，每单位一张表）。"""
    from reports.ledger_export import export_ledger

    scope = db.scope_unit()

    def data() -> bytes:  # built only when the button is clicked
        return export_ledger(db.db_path(), campaign_id, as_of, units=units, categories=categories, channels=channels,
                             scope_unit=scope)

    audited_download.download_button("导出合并台账（方案版式）", data, f"合并台账_{campaign_id}_{as_of:%Y%m%d}.xlsx",
                                     what="合并台账", mime=XLSX_MIME, key=f"ledger_{campaign_id}_{as_of}")


def template_download_buttons(campaign_id: str) -> None:
    """选择单位与填报时间，下载整改台账模板和问题线索登记表模板。"""
    import streamlit as st

    from etl.config import load_campaign
    from reports.templates import template_bytes, template_file_names

    campaign = load_campaign(campaign_id)
    scope = db.scope_unit()
    names = {u.id: u.name for u in campaign.units if scope is None or u.id == scope.unit_id}
    c1, c2 = st.columns(2)
    uid = c1.selectbox("单位", list(names), format_func=names.get, key=f"tpl_unit_{campaign_id}")
    when = c2.date_input("填报时间", value=date.today(), key=f"tpl_date_{campaign_id}")
    files = template_file_names(campaign, uid, when)
    d1, d2 = st.columns(2)
    audited_download.download_button("下载整改台账模板", lambda: template_bytes(campaign_id, uid, when, "ledger"),
                                     files["ledger"], what="整改台账模板", permission="upload", container=d1,
                                     mime=XLSX_MIME, key=f"tpl_l_{campaign_id}_{uid}")
    audited_download.download_button("下载问题线索登记表模板", lambda: template_bytes(campaign_id, uid, when, "leads"),
                                     files["leads"], what="问题线索登记表模板", permission="upload", container=d2,
                                     mime=XLSX_MIME, key=f"tpl_d_{campaign_id}_{uid}")
