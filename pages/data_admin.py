"""数据管理：上传各单位报送的文件 → 暂存、逐表预览并调整对应关系（可存为导入方案）→ 确认导入、重新生成数据库
（进度条）；导入结果（未导入的在前）与问题记录、报送情况（按时/迟报/未报）。

对应关系确认步骤（每个暂存文件的预览面板）在 dashboard/mapping_panel.py；逻辑在 dashboard/upload.py
（暂存、确认、删除、重建）和 dashboard/import_preview.py（预览表格、选择）；查询在 queries/submissions_list.sql、
load_errors_list.sql、ledger_report_grid.sql；导入结果部分的数据在 analytics/page_data/data_admin.py。重建后关闭当前的只读连接并 st.rerun()，db.run_query 的缓存按库文件版本失效。
"""
import hashlib
import logging
import time

import pandas as pd
import streamlit as st

from analytics.page_data.data_admin import data_admin_data, error_table_view, rejected_rows_view, submissions_view
from dashboard import audited_download, auth, db, filters, labels, mapping_panel, ui, upload
from dashboard import import_preview as preview
from dashboard.charts import submissions as submission_charts
from dashboard.report_buttons import ledger_download_button, template_download_buttons
from etl.build import BuildRefused
from etl.config import load_campaign
from reports import downloads

K_UPLOADER, K_LAST_BUILD = "adm_uploader_n", "adm_last_build"
K_NOTICE = mapping_panel.K_NOTICE
UPLOADER_HINT = (f"拖放或点击选择文件；支持 xlsx、xls、xlsm、csv，单个文件不超过 {upload.MAX_FILE_BYTES // 2**20}MB，"
                 f"每个专项整治的文件合计不超过 {upload.MAX_CAMPAIGN_BYTES // 2**30}GB")

me = auth.require("upload")
unit_id = me.scope_unit  # 单位账号：只上传、列出、删除本单位的文件（暂存区和上传目录都是本单位的）
st.title("数据管理")
f = filters.current()

# ------------------------------------------------------------------ campaign
if f is not None:
    campaign_id = f.campaign_id
    camp_label = f.campaign.get("short_name") or campaign_id
    st.caption(f"{camp_label}（{f.campaign.get('doc_number', '')}）　|　{f.describe()}")
else:
    from etl.config import list_campaigns

    ids = list_campaigns()
    if not ids:
        st.error("没有找到专项整治配置（data/campaigns/*.toml）。")
        st.stop()
    campaign_id = st.selectbox("专项整治", ids, key="adm_campaign",
                               format_func=lambda c: load_campaign(c).short_name or c)
    camp_label = campaign_id
    st.info("数据库尚未生成或无法读取。上传文件后点“重新生成数据库”。", icon=":material/database:")

notice = st.session_state.pop(K_NOTICE, None)
if notice:
    for kind, msg in notice:
        getattr(st, kind)(msg)


def _rebuild(focus: tuple[str, ...] = (), allow_empty: bool = False) -> None:
    bar = st.progress(0.0, text="正在读取文件…")
    shown = [0.0]

    def progress(i: int, n: int, message: str) -> None:
        # a national rebuild reports 24,000 files: the bar moves ten times a second, the steps after reading all show
        if i < n and time.monotonic() - shown[0] < 0.1:
            return
        shown[0] = time.monotonic()
        bar.progress(min(1.0, i / max(n, 1)), text=f"[{i}/{n}] {message}")

    try:
        result = upload.rebuild(db.db_path(), progress=progress, allow_empty=allow_empty)
    except BuildRefused as e:  # no files, nothing read over existing data, another rebuild running
        auth.record("rebuild", target=campaign_id, ok=False, detail={"结果": str(e)[:500], "文件": list(focus)})
        bar.empty()
        st.error(str(e).replace("请加 --allow-empty", "请先删除不需要的文件再重新生成"), icon=":material/error:")
        return
    except Exception:  # noqa: BLE001 — old database stays in place; library text goes to the log only
        logging.getLogger(__name__).exception("rebuild failed")
        auth.record("rebuild", target=campaign_id, ok=False, detail={"结果": "失败，原数据库保持不变", "文件": list(focus)})
        bar.empty()
        st.error("重新生成数据库失败，原数据库保持不变。请稍后再试；如果一再失败，请删除最近上传的文件后重试，"
                 "并把时间告诉系统管理员（服务器日志中有详细原因）。", icon=":material/error:")
        return
    bar.progress(1.0, text="完成")
    auth.record("rebuild", target=campaign_id, detail={"结果": result.summary_text()[:2000], "文件": list(focus)})
    rows = pd.DataFrame(result.summary_rows(), columns=["类型", "工作表数", "读取行数", "导入行数", "未导入行数"])
    st.session_state[K_LAST_BUILD] = {"text": result.summary_text(), "rows": rows,
                                      "boxes": preview.not_imported_boxes(result, campaign_id, focus),
                                      "rejected": preview.rejected_rows_frame(result, focus, campaign_id)}
    notes = st.session_state.setdefault(K_NOTICE, [])
    for name in focus:
        text = preview.file_outcome(result, campaign_id, name)
        notes.append(("error" if "未导入" in text and "没有未导入" not in text else "success", text + "。"))
    st.rerun()


# ------------------------------------------------------------------ upload → staging → preview → confirm
st.subheader("上传报送文件")
st.caption("上传的文件先暂存、逐表预览：识别的类型、表头行、每列导入为哪个字段、将导入和未导入的行数。"
           "认不出或认错的列可以手工指定，并保存为导入方案（以后表头相同的文件自动套用）。"
           f"点“确认导入”后文件才移到 data/uploads/{campaign_id}/ 并重新生成数据库。"
           "接受 .xlsx、.xls、.xlsm、.csv；与已上传文件同名时，新文件替换旧文件。")
n = st.session_state.setdefault(K_UPLOADER, 0)
# 上传框内写死的英文（“Upload”“200MB per file • XLSX…”）由 dashboard/chrome.py 统一隐藏或换成中文，上限写在下面的说明里。
files = st.file_uploader("选择文件（可多选）", type=["xlsx", "xls", "xlsm", "csv"], accept_multiple_files=True,
                         key=f"adm_files_{n}", help="可一次选择多个文件；上传后先预览，确认后才导入。")
st.caption(UPLOADER_HINT)
c1, c2 = st.columns([1, 1])
stage_clicked = c1.button("上传并预览", type="primary", disabled=not files, icon=":material/upload:")
rebuild_clicked = c2.button("只重新生成数据库", icon=":material/refresh:") if auth.has("rebuild") else False
area = mapping_panel.UploadArea()
if unit_id:
    area = mapping_panel.UploadArea(upload.unit_staging_root(unit_id), unit_id,
                                    {u.id: u.name for u in load_campaign(campaign_id).units})
    st.info(f"您以单位账号登录：只能上传本单位（{area.unit_names.get(unit_id, unit_id)}）的文件，"
            "文件中每一行都须属于本单位。", icon=":material/badge:")
if stage_clicked and files:
    msgs = []
    for uf in files:
        data = uf.getvalue()
        try:
            saved = upload.stage_upload(campaign_id, uf.name, data, root=area.staging, unit_id=unit_id)
        except upload.UploadError as e:
            auth.record("upload", target=uf.name[:200], ok=False, detail={"大小": len(data), "原因": str(e)[:300]})
            msgs.append(("error", str(e)))
            continue
        auth.record("upload", target=saved.name, detail={"大小": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                                         "专项整治": campaign_id})
        mapping_panel.forget(saved.name)
        note = f"“{uf.name}”已暂存为“{saved.name}”" if saved.renamed else f"“{saved.name}”已暂存"
        if saved.unchanged:
            note += "（与已导入的同名文件内容相同）"
        elif saved.replaced:
            note += "；确认导入后将替换已导入的同名文件"
        msgs.append(("warning" if saved.replaced or saved.renamed else "info", note + "，请检查下面的预览。"))
    st.session_state[K_NOTICE] = msgs
    st.session_state[K_UPLOADER] = n + 1
    st.rerun()
elif rebuild_clicked:
    _rebuild()

campaign_cfg = load_campaign(campaign_id)
for staged in upload.list_staged(campaign_id, area.staging):
    mapping_panel.staged_file(staged, campaign_id, campaign_cfg, _rebuild, area)

last = st.session_state.get(K_LAST_BUILD)
if last:
    for level, text in last.get("boxes", []):
        if level == "error":
            st.error(text, icon=":material/error:")
        else:
            st.info(text, icon=":material/history:")
    if not last["rejected"].empty:
        with st.container(key="adm_build_rejected_box"):
            shown = last["rejected"].head(500)
            lay = rejected_rows_view(shown)
            st.dataframe(mapping_panel.red(shown[lay.columns]), hide_index=True, key="adm_build_rejected",
                         row_height=lay.row_height, height=lay.height, column_config=ui.fitted_columns(
                             lay, {"行号": st.column_config.NumberColumn()}))
    st.success("数据库已重新生成。", icon=":material/check_circle:")
    st.code(last["text"], language=None)
    st.dataframe(last["rows"], hide_index=True, key="adm_build_rows")

uploaded = upload.list_uploads(campaign_id, unit_id=unit_id)
with st.expander(f"已上传的文件（{len(uploaded)}个）", expanded=bool(len(uploaded))):
    if uploaded.empty:
        st.caption("还没有上传文件。")
    else:
        if f is not None:  # files that could not be read at the last rebuild: the reason, next to the name
            uploaded = upload.with_read_problems(uploaded, db.run_query("load_errors_list", campaign_id=campaign_id))
            unread = int((uploaded["读取问题"] != "").sum())
            if unread:
                st.error(f"{unread} 个文件无法读取、未导入（原因见“读取问题”列）。请把原因告诉报送单位，"
                         "在下面删除该文件，收到更正的文件后重新上传。", icon=":material/error:")
        st.dataframe(uploaded, hide_index=True, key="adm_uploads",
                     column_config={"读取问题": st.column_config.TextColumn(width="large")}
                     if "读取问题" in uploaded else None)
        d1, d2 = st.columns([3, 1])
        victim = d1.selectbox("删除一个上传的文件", uploaded["文件名"].tolist(), index=None, key="adm_del_name",
                              placeholder="选择要删除的文件…")
        if d2.button("删除并重新生成", disabled=victim is None, icon=":material/delete:", key="adm_del"):
            try:
                ok = upload.delete_upload(campaign_id, victim, unit_id=unit_id)
                auth.record("upload_deleted", target=victim, ok=ok)
                st.session_state[K_NOTICE] = [("success" if ok else "warning",
                                               f"已删除“{victim}”。" if ok else f"“{victim}”已不存在。")]
            except upload.UploadError as e:
                st.session_state[K_NOTICE] = [("error", str(e))]
            st.session_state.pop("adm_del_name", None)
            _rebuild(allow_empty=True)  # deleting the last file is meant to empty the database

if f is None:
    st.stop()

# ------------------------------------------------------------------ templates and exports
st.subheader("填报模板与合并台账")
tpl, exp = st.columns(2)
with tpl:
    st.markdown("**各单位填报模板**（台账与线索登记表，带下拉选项，填好后可直接上传）")
    template_download_buttons(f.campaign_id)
with exp:
    st.markdown("**合并台账**（按方案附件样表，含填报单位、填报时间，按侧栏筛选导出，可直接上报）")
    ledger_download_button(f.campaign_id, f.as_of, units=f.units, categories=f.categories, channels=f.channels)

# ------------------------------------------------------------------ load errors
d = data_admin_data(db.run_query, f)
st.subheader("导入问题记录")
if d.errors.empty:
    st.success("本专项整治的文件全部导入，没有被拒绝的行或警告。", icon=":material/check_circle:")
else:
    st.markdown(f"错误 **{d.n_errors}** 条（该行或该表未导入），警告 **{d.n_warnings}** 条（已导入，但需核对）。"
                "请把错误清单发回报送单位更正后重新上传。")
    err_tbl = d.errors
    # 1366 宽投影下整张放得下（不左右滚动）：默认四列，核对原文件时再显示工作表、行号、列、原值；说明较长时换行
    detail = st.toggle("显示工作表、行号、列、原值", key="adm_err_detail",
                       help="核对原文件时打开：多显示这几列（单位列收起）。下载的文件总是含全部列。")
    lay = error_table_view(err_tbl, detail)
    with st.container(key="adm_errors_box"):
        st.dataframe(err_tbl[lay.columns], hide_index=True, key="adm_errors", placeholder="",
                     row_height=lay.row_height, height=lay.height,
                     column_config=ui.fitted_columns(lay, {"行号": st.column_config.NumberColumn()}))
    e1, e2, _ = st.columns([1, 1, 4])
    audited_download.download_button("下载 Excel", lambda: downloads.xlsx_bytes(err_tbl, "导入问题记录"),
                                     f"导入问题记录_{f.campaign_id}.xlsx", what="导入问题记录（Excel）", container=e1,
                                     icon=":material/download:", mime=downloads.XLSX_MIME, key="adm_err_xlsx")
    audited_download.download_button("下载 CSV", lambda: ui.csv_bytes(err_tbl), f"导入问题记录_{f.campaign_id}.csv",
                                     what="导入问题记录（CSV）", container=e2, mime=downloads.CSV_MIME,
                                     icon=":material/download:", key="adm_err_csv")

# ------------------------------------------------------------------ punctuality
st.subheader("台账报送情况")
st.caption(f"按方案规定的台账报送节点（截至统计日已到的节点）判定，宽限 {d.grace_days} 天："
           "**按时** = 上一节点宽限期结束后至本节点 + 宽限天数内有台账报送；"
           "**迟报** = 窗口内没有、在下一个节点之前补报（补报的台账同时算作下一节点的报送）；"
           "**未报** = 到下一个节点（或统计日）仍没有；**待报** = 本节点宽限期尚未结束。")
ui.chart(lambda: submission_charts.report_grid(d.grid),
         labels.chart_download(d.grid, drop=("sort_order",), overrides=labels.REPORT_DUE_LABELS),
         "台账报送情况（单位 × 报送节点）", "adm_grid")
if not d.grid.empty:
    if d.late_units.empty:
        st.success("所有单位都按时报送了台账。", icon=":material/check_circle:")
    else:
        st.markdown("迟报或未报的单位：" + "、".join(
            f"**{r['单位']}**（迟报{int(r['迟报'])}次、未报{int(r['未报'])}次）" for _, r in d.late_units.iterrows()))
    counts_box = ui.on_demand("各单位报送次数统计", "adm_counts_box")
    if counts_box.open:
        with counts_box:
            st.dataframe(d.report_counts, hide_index=True, key="adm_grid_counts")
            ui.download(d.report_counts, "各单位台账报送统计", "adm_grid_counts")

st.subheader("报送记录（按单位、填报时间）")
if d.submissions.empty:
    ui.no_data("还没有导入任何报送文件。")
else:
    ui.table(d.submissions, "报送记录", "adm_subs", layout=submissions_view(d.submissions))
