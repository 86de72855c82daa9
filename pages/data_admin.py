"""数据管理：上传各单位报送的文件 → 暂存、逐表预览并调整对应关系（可存为导入方案）→ 确认导入、重新生成数据库
（进度条）；导入结果（未导入的在前）与问题记录、报送情况（按时/迟报/未报）。

逻辑在 dashboard/upload.py（暂存、确认、删除、重建）和 dashboard/import_preview.py（预览表格、选择）；查询在 queries/submissions_list.sql、load_errors_list.sql、
report_grid.sql。重建后关闭当前的只读连接并 st.rerun()，db.run_query 的缓存按库文件版本失效。
"""
import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import charts_second, db, filters, sql_console, ui, upload
from dashboard import import_preview as preview
from etl.config import load_campaign
from reports.streamlit_ui import ledger_download_button, template_download_buttons

K_UPLOADER, K_LAST_BUILD, K_NOTICE = "adm_uploader_n", "adm_last_build", "adm_notice"
UPLOADER_HINT = "拖放或点击选择文件；支持 xlsx、xls、xlsm、csv，单个文件不超过 200MB"
_UP = "[class*='st-key-adm_files_'] [data-testid='stFileUploaderDropzone']"
UPLOADER_CSS = (
    "<style>"
    f"{_UP} [data-testid='stFileUploaderDropzoneInstructions']{{display:none;}}"
    # 按钮：隐藏英文“Upload”（图标保留），用伪元素写中文
    f"{_UP} button [data-testid='stMarkdownContainer'],{_UP} button p{{display:none;}}"
    f"{_UP} button::after{{content:'选择文件';margin-left:0.4rem;}}"
    "</style>")

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


def _rebuild(focus: tuple[str, ...] = ()) -> None:
    bar = st.progress(0.0, text="正在读取文件…")

    def progress(i: int, n: int, message: str) -> None:
        bar.progress(min(1.0, i / max(n, 1)), text=f"[{i}/{n}] {message}")

    try:
        result = upload.rebuild(db.db_path(), progress=progress)
    except Exception as e:  # noqa: BLE001 — old database stays in place
        bar.empty()
        st.error(f"重新生成数据库失败，原数据库保持不变。（{type(e).__name__}：{str(e).splitlines()[0] if str(e) else ''}）")
        return
    bar.progress(1.0, text="完成")
    rows = pd.DataFrame(result.summary_rows(), columns=["类型", "工作表数", "读取行数", "导入行数", "未导入行数"])
    st.session_state[K_LAST_BUILD] = {"text": result.summary_text(), "rows": rows,
                                      "lost": preview.not_imported_lines(result, campaign_id),
                                      "rejected": preview.rejected_rows_frame(result, focus, campaign_id)}
    notes = st.session_state.setdefault(K_NOTICE, [])
    for name in focus:
        text = preview.file_outcome(result, campaign_id, name)
        notes.append(("error" if "未导入" in text and "没有未导入" not in text else "success", text + "。"))
    st.rerun()


def _red(df: pd.DataFrame):
    """未导入的行：整表红字、浅红底。"""
    return df.style.set_properties(**{"color": "#a61b1b", "background-color": "#fdecec"})


# ------------------------------------------------------------------ upload → staging → preview → confirm
K_CHOICES, K_VER = "adm_choices", "adm_ver"


def _profiles_sig() -> tuple:
    folder = upload.profiles_dir()
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml"))) if folder.is_dir() else ()


@st.cache_data(max_entries=32, show_spinner="正在预览…")
def _preview(path: str, mtime: int, campaign_id: str, choices_key: str, profiles_sig: tuple,
             _choices: dict) -> list:
    from etl.read.profiles import load_profiles

    return preview.run_preview(Path(path), load_campaign(campaign_id), _choices,
                               load_profiles(upload.profiles_dir(), problems=[]))


def _file_state(name: str) -> tuple[dict, int]:
    choices = st.session_state.setdefault(K_CHOICES, {}).setdefault(name, {})
    return choices, st.session_state.setdefault(K_VER, {}).get(name, 0)


def _set_choice(name: str, sheet: str, choice) -> None:
    choices, ver = _file_state(name)
    if choice is None:
        choices.pop(sheet, None)
    else:
        choices[sheet] = choice
    st.session_state[K_VER][name] = ver + 1  # 新的控件：按新的预览结果显示，旧的编辑不再套用


def _forget(name: str) -> None:
    st.session_state.get(K_CHOICES, {}).pop(name, None)
    versions = st.session_state.setdefault(K_VER, {})
    versions[name] = versions.get(name, 0) + 1


def _on_kind(name: str, sheet, key: str) -> None:
    _set_choice(name, sheet.sheet_name, preview.kind_choice(sheet, st.session_state[key]))


def _on_header(name: str, sheet, kind: str, row_key: str, rows_key: str) -> None:
    _set_choice(name, sheet.sheet_name, preview.header_choice(
        sheet, kind, st.session_state[row_key], st.session_state[rows_key]))


def _on_columns(name: str, sheet, options: dict, labels: list, key: str) -> None:
    edited = dict(enumerate(labels))
    for row, change in st.session_state[key].get("edited_rows", {}).items():
        if change.get("导入为"):
            edited[int(row)] = change["导入为"]
    fields = preview.fields_from_labels(sheet, [edited[i] for i in range(len(labels))], options)
    _set_choice(name, sheet.sheet_name, preview.columns_choice(sheet, fields))


def _sheet_panel(name: str, sheet, auto, choice, key: str, several: bool) -> bool:
    """一张工作表的预览与调整；返回本表对应关系是否被手工改过（需要保存为导入方案）。"""
    kind = choice.kind if choice is not None and choice.kind == preview.SKIP else sheet.kind
    kinds = list(preview.KIND_OPTIONS)
    c1, c2, c3 = st.columns([2, 1, 1.3])
    c1.selectbox("识别为", kinds, index=kinds.index(kind) if kind in kinds else None, key=f"{key}_kind",
                 format_func=preview.KIND_OPTIONS.get, placeholder="无法判断，请选择类型",
                 on_change=_on_kind, args=(name, sheet, f"{key}_kind"),
                 help="这张表的类型。选“不导入”时本表不进入数据库。")
    fixed = kind in (None, preview.SKIP)
    c2.number_input("表头行", min_value=1, max_value=50, value=max(sheet.header_row, 1), step=1,
                    key=f"{key}_row", disabled=fixed, on_change=_on_header,
                    args=(name, sheet, kind, f"{key}_row", f"{key}_rows"),
                    help="表头（列名）所在的行号，按 Excel 中的行号。")
    c3.selectbox("表头行数", [1, 2], index=1 if sheet.header_rows == 2 else 0, key=f"{key}_rows",
                 format_func=lambda n: "1 行" if n == 1 else "2 行（上下两行合并）", disabled=fixed,
                 on_change=_on_header, args=(name, sheet, kind, f"{key}_row", f"{key}_rows"))
    if kind == preview.SKIP:
        st.warning(f"本表选为“不导入”（{sheet.rows_rejected} 行）。确认导入时保存为导入方案：以后表头相同的表也不导入，"
                   "导入问题记录里记为警告“未导入”。", icon=":material/block:")
        return True
    if kind is None:
        st.error(f"{sheet.error or '无法判断这张表的类型'}。请在“识别为”中选择类型。", icon=":material/error:")
        return False
    edited = preview.changed(auto, sheet)
    applied = preview.applied_profile(sheet)
    if applied and not edited:
        st.info(f"已套用导入方案“{applied}”，对应关系无需再调整。", icon=":material/bookmark_added:")
    elif edited:
        st.warning("对应关系已手工调整。确认导入时会自动保存为导入方案（名称见下方），以后重新生成数据库时按表头自动套用；"
                   "不保存的话，重新生成数据库时无法按同样的对应关系读取这张表。", icon=":material/edit_note:")
    for label, letters in preview.duplicate_fields(sheet):
        st.warning(f"第 {'、'.join(letters)} 列都选为“{label}”，只有一列会导入，请把多余的列改为“不导入”。")

    options = preview.field_options(sheet.kind, campaign_cfg)
    table = preview.columns_frame(sheet, options, auto)
    col = st.column_config
    st.data_editor(
        table, hide_index=True, key=f"{key}_cols", num_rows="fixed", width="content",
        height=min(38 + 35 * len(table), 460),
        column_config={"列": col.TextColumn(width=40, disabled=True), "表头": col.TextColumn(width="medium", disabled=True),
                       "导入为": col.SelectboxColumn(options=list(options), required=True, width="medium",
                                                   help="双击单元格，选择这一列导入为哪个字段"),
                       "依据": col.TextColumn(width="medium", disabled=True)},
        on_change=_on_columns, args=(name, sheet, options, table["导入为"].tolist(), f"{key}_cols"))
    st.caption("“导入为”一列可双击修改；改动后预览立即按新的对应关系重新计算。")

    lost = sheet.rows_rejected
    st.markdown(f"将导入 **{sheet.rows_loaded}** 行，" + (f":red[**未导入 {lost} 行**]" if lost else "未导入 0 行")
                + f"（共读取 {sheet.rows_read} 行）")
    bad = preview.problems_frame(sheet, "错误")
    if not bad.empty:
        st.error(f"以下 {len(bad)} 条问题使相应的行（或整张表）未导入：", icon=":material/error:")
        with st.container(key=f"{key}_badbox"):  # 带 key 的容器：页面测试据此找到表格
            st.dataframe(_red(bad), hide_index=True, key=f"{key}_bad", row_height=70,  # 行高 > 4rem：原因自动换行
                         height=min(720, 38 + 70 * len(bad)), column_config={
                             "行号": col.NumberColumn(width=52), "列": col.TextColumn(width=110),
                             "原值": col.TextColumn(width=140), "原因": col.TextColumn(width=520)})
    warn = preview.problems_frame(sheet, "警告")
    if not warn.empty:
        with st.expander(f"警告 {len(warn)} 条（已导入，但需核对）"):
            st.dataframe(warn, hide_index=True, key=f"{key}_warn")
    recs = preview.records_frame(sheet, campaign_cfg)
    if not recs.empty:
        st.markdown(f"**将导入的前 {len(recs)} 行**（按写入数据库的样子；投诉人、电话只保存脱敏值）")
        with st.container(key=f"{key}_recsbox"):
            st.dataframe(recs, hide_index=True, key=f"{key}_recs")

    p1, p2 = st.columns([3, 1], vertical_alignment="bottom")
    default = applied or preview.default_profile_name(name, sheet.sheet_name, several)
    pname = p1.text_input("导入方案名称", value=default, key=f"{key}_pname", max_chars=60,
                          help="按表头自动识别：以后上传表头相同的文件，自动套用这个方案。")
    if p2.button("保存为导入方案", key=f"{key}_psave", icon=":material/bookmark_add:"):
        saved = preview.save_sheet_profile(pname, sheet, upload.profiles_dir())
        _set_choice(name, sheet.sheet_name, None)  # 此后由保存的方案套用：预览显示“已套用导入方案”
        st.session_state[K_NOTICE] = [("success", f"已保存导入方案“{saved.name}”（{saved.path.name}）。")]
        st.rerun()
    return edited


def _staged_file(path: Path) -> None:
    name = path.name
    choices, ver = _file_state(name)
    key = "adm_stg_" + hashlib.sha1(name.encode()).hexdigest()[:10] + f"_{ver}"
    with st.container(border=True):
        st.markdown(f"**待确认：{name}**")
        sig, mtime = _profiles_sig(), path.stat().st_mtime_ns
        try:
            auto = _preview(str(path), mtime, campaign_id, "", sig, {})
            current = _preview(str(path), mtime, campaign_id, preview.choices_key(choices), sig, choices) \
                if choices else auto
        except Exception as e:  # noqa: BLE001 — a broken file: say so, offer to discard it
            st.error(f"无法读取这个文件：{e}", icon=":material/error:")
            auto = current = []
        edited: dict[str, bool] = {}
        autos = {s.sheet_name: s for s in auto}
        several = len(current) > 1
        tabs = st.tabs([s.sheet_name or "表格" for s in current]) if several else [st.container()]
        for i, (tab, sheet) in enumerate(zip(tabs, current, strict=True)):
            with tab:
                edited[sheet.sheet_name] = _sheet_panel(name, sheet, autos.get(sheet.sheet_name),
                                                        choices.get(sheet.sheet_name), f"{key}_{i}", several)
        if not current and auto == []:
            st.caption("文件中没有可导入的工作表。")
        if any(edited.values()):
            st.caption("确认导入时，手工调整过的表会先保存为导入方案（名称如上），重新生成数据库时按它读取。")
        b1, b2, _ = st.columns([1, 1, 3])
        if b1.button("确认导入", type="primary", key=f"{key}_ok", icon=":material/check:"):
            msgs = []
            for i, sheet in enumerate(current):
                if edited.get(sheet.sheet_name):
                    pname = st.session_state.get(f"{key}_{i}_pname") or \
                        preview.default_profile_name(name, sheet.sheet_name, several)
                    chosen = choices.get(sheet.sheet_name)
                    saved = preview.save_sheet_profile(pname, sheet, upload.profiles_dir(),
                                                       chosen.kind if chosen is not None else None)
                    msgs.append(("success", f"对应关系已保存为导入方案“{saved.name}”。"))
            try:
                done = upload.commit_staged(campaign_id, name)
            except upload.UploadError as e:
                st.session_state[K_NOTICE] = [("error", str(e))]
                st.rerun()
            if done.replaced and not done.unchanged:
                msgs.append(("warning", f"“{name}”替换了原来上传的同名文件。"))
            st.session_state[K_NOTICE] = msgs
            _forget(name)
            _rebuild((name,))
        if b2.button("放弃", key=f"{key}_drop", icon=":material/delete:"):
            upload.discard_staged(campaign_id, name)
            _forget(name)
            st.session_state[K_NOTICE] = [("info", f"已放弃“{name}”，文件未导入。")]
            st.rerun()


st.subheader("上传报送文件")
st.caption("上传的文件先暂存、逐表预览：识别的类型、表头行、每列导入为哪个字段、将导入和未导入的行数。"
           "认不出或认错的列可以手工指定，并保存为导入方案（以后表头相同的文件自动套用）。"
           f"点“确认导入”后文件才移到 data/uploads/{campaign_id}/ 并重新生成数据库。"
           "接受 .xlsx、.xls、.xlsm、.csv；与已上传文件同名时，新文件替换旧文件。")
n = st.session_state.setdefault(K_UPLOADER, 0)
# streamlit 1.67 的上传框内文字（“Upload”“200MB per file • XLSX…”）写死为英文、不能本地化：
# 只在这个上传框内（st-key-adm_files_*）隐藏英文说明，按钮文字换成中文，并在下面给出中文说明。
st.markdown(UPLOADER_CSS, unsafe_allow_html=True)
files = st.file_uploader("选择文件（可多选）", type=["xlsx", "xls", "xlsm", "csv"], accept_multiple_files=True,
                         key=f"adm_files_{n}", help="可一次选择多个文件；上传后先预览，确认后才导入。")
st.caption(UPLOADER_HINT)
c1, c2 = st.columns([1, 1])
stage_clicked = c1.button("上传并预览", type="primary", disabled=not files, icon=":material/upload:")
rebuild_clicked = c2.button("只重新生成数据库", icon=":material/refresh:")
if stage_clicked and files:
    msgs = []
    for uf in files:
        try:
            saved = upload.stage_upload(campaign_id, uf.name, uf.getvalue())
        except upload.UploadError as e:
            msgs.append(("error", str(e)))
            continue
        _forget(saved.name)
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
for staged in upload.list_staged(campaign_id):
    _staged_file(staged)

last = st.session_state.get(K_LAST_BUILD)
if last:
    if last["lost"] or not last["rejected"].empty:
        st.error("**未导入的内容**" + "".join(f"\n- {line}" for line in last["lost"])
                 + (f"\n- 未导入的行（错误）{len(last['rejected'])} 条，见下表" if not last["rejected"].empty else ""),
                 icon=":material/error:")
        if not last["rejected"].empty:
            col = st.column_config
            with st.container(key="adm_build_rejected_box"):
                shown = last["rejected"].head(500)
                st.dataframe(_red(shown), hide_index=True, key="adm_build_rejected", row_height=70,
                             height=min(720, 38 + 70 * len(shown)),
                             column_config={"文件": col.TextColumn(width=200), "工作表": col.TextColumn(width=72),
                                            "行号": col.NumberColumn(width=52), "列": col.TextColumn(width=80),
                                            "原值": col.TextColumn(width=120), "原因": col.TextColumn(width=400)})
    st.success("数据库已重新生成。", icon=":material/check_circle:")
    st.code(last["text"], language=None)
    st.dataframe(last["rows"], hide_index=True, key="adm_build_rows")

uploaded = upload.list_uploads(campaign_id)
with st.expander(f"已上传的文件（{len(uploaded)}个）", expanded=bool(len(uploaded))):
    if uploaded.empty:
        st.caption("还没有上传文件。")
    else:
        st.dataframe(uploaded, hide_index=True, key="adm_uploads")
        d1, d2 = st.columns([3, 1])
        victim = d1.selectbox("删除一个上传的文件", uploaded["文件名"].tolist(), index=None, key="adm_del_name",
                              placeholder="选择要删除的文件…")
        if d2.button("删除并重新生成", disabled=victim is None, icon=":material/delete:", key="adm_del"):
            try:
                ok = upload.delete_upload(campaign_id, victim)
                st.session_state[K_NOTICE] = [("success" if ok else "warning",
                                               f"已删除“{victim}”。" if ok else f"“{victim}”已不存在。")]
            except upload.UploadError as e:
                st.session_state[K_NOTICE] = [("error", str(e))]
            st.session_state.pop("adm_del_name", None)
            _rebuild()

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
st.subheader("导入问题记录")
errs = db.run_query("load_errors_list", campaign_id=f.campaign_id)
if errs.empty:
    st.success("本专项整治的文件全部导入，没有被拒绝的行或警告。", icon=":material/check_circle:")
else:
    n_err = int(errs["severity"].isin(["错误", "error"]).sum())
    st.markdown(f"错误 **{n_err}** 条（该行或该表未导入），警告 **{len(errs) - n_err}** 条（已导入，但需核对）。"
                "请把错误清单发回报送单位更正后重新上传。")
    err_tbl = errs.rename(columns={"severity": "级别", "file_name": "文件", "sheet_name": "工作表",
                                   "source_row": "行号", "column_name": "列", "raw_value": "原值",
                                   "message": "说明", "unit_name": "单位"})
    err_tbl["级别"] = err_tbl["级别"].replace({"error": "错误", "warning": "警告"})
    err_tbl["原值"] = err_tbl["原值"].fillna("")            # 原值为空（如缺少必填项）显示空白，不显示 None
    # 说明较长：给剩余宽度并加高行（行高 > 4rem 时表格自动换行），不被截断
    col = st.column_config
    st.dataframe(err_tbl, hide_index=True, key="adm_errors", placeholder="", row_height=70,
                 height=min(720, len(err_tbl) * 70 + 38),
                 column_config={"级别": col.TextColumn(width=48), "文件": col.TextColumn(width=200),
                                "工作表": col.TextColumn(width=72), "行号": col.NumberColumn(width=52),
                                "列": col.TextColumn(width=80), "原值": col.TextColumn(width=120),
                                "说明": col.TextColumn(width=400)})
    e1, e2, _ = st.columns([1, 1, 4])
    e1.download_button("下载 Excel", lambda: sql_console.xlsx_bytes(err_tbl, "导入问题记录"),
                       f"导入问题记录_{f.campaign_id}.xlsx", icon=":material/download:", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="adm_err_xlsx")
    e2.download_button("下载 CSV", ui.csv_bytes(err_tbl), f"导入问题记录_{f.campaign_id}.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore", key="adm_err_csv")

# ------------------------------------------------------------------ punctuality
st.subheader("台账报送情况")
grace = int(f.campaign.get("grace_days") or 0)
st.caption(f"按方案规定的台账报送节点（截至统计日已到的节点）判定，宽限 {grace} 天："
           "**按时** = 上一节点宽限期结束后至本节点 + 宽限天数内有台账报送；"
           "**迟报** = 窗口内没有、在下一个节点之前补报（补报的台账同时算作下一节点的报送）；"
           "**未报** = 到下一个节点（或统计日）仍没有；**待报** = 本节点宽限期尚未结束。")
grid = db.run_query("report_grid", **f.params())
ui.chart(lambda: charts_second.report_grid(grid), charts_second.cn(grid, drop=("sort_order",)),
         "台账报送情况（单位 × 报送节点）", "adm_grid")
if not grid.empty:
    cnt = grid.pivot_table(index=["sort_order", "unit_name"], columns="report_status", values="due_date",
                           aggfunc="count", fill_value=0)
    cnt = cnt.reindex(columns=[c for c in ("按时", "迟报", "未报", "待报")], fill_value=0) \
        .reset_index().drop(columns="sort_order").rename(columns={"unit_name": "单位"})
    cnt.columns.name = None
    bad = cnt[(cnt["迟报"] > 0) | (cnt["未报"] > 0)]
    if bad.empty:
        st.success("所有单位都按时报送了台账。", icon=":material/check_circle:")
    else:
        st.markdown("迟报或未报的单位：" + "、".join(
            f"**{r['单位']}**（迟报{int(r['迟报'])}次、未报{int(r['未报'])}次）" for _, r in bad.iterrows()))
    with st.expander("各单位报送次数统计"):
        st.dataframe(cnt, hide_index=True, key="adm_grid_counts")
        ui.download(cnt, "各单位台账报送统计", "adm_grid_counts")

st.subheader("报送记录（按单位、填报时间）")
subs = db.run_query("submissions_list", campaign_id=f.campaign_id, units=list(f.units))
if subs.empty:
    ui.no_data("还没有导入任何报送文件。")
else:
    sub_tbl = subs.drop(columns=["submission_id"]).rename(columns={
        "unit_name": "单位", "kind_label": "类型", "as_of_date": "填报时间", "as_of_source": "填报时间来源",
        "file_name": "文件", "sheet_name": "工作表", "rows_read": "读取行数", "rows_loaded": "导入行数",
        "rows_rejected": "拒绝行数"})
    ui.table(sub_tbl, "报送记录", "adm_subs")
