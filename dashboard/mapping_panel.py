"""数据管理页的对应关系确认步骤（界面）：每个暂存文件一个面板，逐表显示识别的类型、表头行、各列导入为哪个字段
（可修改）、将导入/未导入的行数、未导入的行、将导入的记录；保存导入方案；确认导入或放弃。

非界面逻辑在 dashboard/import_preview.py（预览、选择、表格）和 dashboard/upload.py（暂存、确认、放弃）。
用户的选择存在 st.session_state[K_CHOICES][文件名][工作表名]；K_VER[文件名] 每次选择后加一，
控件 key 随之改变，控件按新的预览结果重新显示。页面测试按这些控件 key 找元素，改名须同时改测试。
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, upload
from dashboard import import_preview as preview
from etl.config import Campaign, load_campaign

K_NOTICE = "adm_notice"  # 数据管理页 st.rerun() 之后显示的消息：[(st 方法名, 文字)]
K_CHOICES, K_VER = "adm_choices", "adm_ver"


def red(df: pd.DataFrame):
    """未导入的行：整表红字、浅红底。"""
    return df.style.set_properties(**{"color": "#a61b1b", "background-color": "#fdecec"})


def _profiles_sig() -> tuple:
    folder = upload.profiles_dir()
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml"))) if folder.is_dir() else ()


@st.cache_data(max_entries=32, show_spinner="正在预览…")
def _preview(path: str, mtime: int, campaign_id: str, choices_key: str, profiles_sig: tuple,
             _choices: dict) -> list:
    from etl.read.profiles import load_profiles

    return preview.run_preview(Path(path), load_campaign(campaign_id), _choices,
                               load_profiles(upload.profiles_dir(), problems=[]))


# ------------------------------------------------------------------ the user's choices (session state)

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


def forget(name: str) -> None:
    """丢掉一个文件的选择（重新暂存、确认或放弃之后）。"""
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


# ------------------------------------------------------------------ one sheet

def _kind_and_header(name: str, sheet, kind, key: str) -> None:
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


def _mapping_notes(sheet, edited: bool, applied: str | None) -> None:
    if applied and not edited:
        st.info(f"已套用导入方案“{applied}”，对应关系无需再调整。", icon=":material/bookmark_added:")
    elif edited:
        st.warning("对应关系已手工调整。确认导入时会自动保存为导入方案（名称见下方），以后重新生成数据库时按表头自动套用；"
                   "不保存的话，重新生成数据库时无法按同样的对应关系读取这张表。", icon=":material/edit_note:")
    for label, letters in preview.duplicate_fields(sheet):
        st.warning(f"第 {'、'.join(letters)} 列都选为“{label}”，只有一列会导入，请把多余的列改为“不导入”。")


def _columns_editor(name: str, sheet, auto, campaign: Campaign, key: str) -> None:
    options = preview.field_options(sheet.kind, campaign)
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


def _outcome(sheet, campaign: Campaign, key: str) -> None:
    """将导入/未导入的行数、未导入的原因、警告、将导入的前几行。"""
    col = st.column_config
    lost = sheet.rows_rejected
    st.markdown(f"将导入 **{sheet.rows_loaded}** 行，" + (f":red[**未导入 {lost} 行**]" if lost else "未导入 0 行")
                + f"（共读取 {sheet.rows_read} 行）")
    bad = preview.problems_frame(sheet, "错误")
    if not bad.empty:
        st.error(f"以下 {len(bad)} 条问题使相应的行（或整张表）未导入：", icon=":material/error:")
        with st.container(key=f"{key}_badbox"):  # 带 key 的容器：页面测试据此找到表格
            st.dataframe(red(bad), hide_index=True, key=f"{key}_bad", row_height=70,  # 行高 > 4rem：原因自动换行
                         height=min(720, 38 + 70 * len(bad)), column_config={
                             "行号": col.NumberColumn(width=52), "列": col.TextColumn(width=110),
                             "原值": col.TextColumn(width=140), "原因": col.TextColumn(width=520)})
    warn = preview.problems_frame(sheet, "警告")
    if not warn.empty:
        with st.expander(f"警告 {len(warn)} 条（已导入，但需核对）"):
            st.dataframe(warn, hide_index=True, key=f"{key}_warn")
    recs = preview.records_frame(sheet, campaign)
    if not recs.empty:
        st.markdown(f"**将导入的前 {len(recs)} 行**（按写入数据库的样子；投诉人、电话只保存脱敏值）")
        with st.container(key=f"{key}_recsbox"):
            st.dataframe(recs, hide_index=True, key=f"{key}_recs")


def _profile_row(name: str, sheet, applied: str | None, key: str, several: bool) -> None:
    if not auth.has("mapping"):  # 导入方案对所有人生效：只有专班能保存
        st.caption("本次手工指定的对应关系只用于这个文件；需要长期套用的导入方案请联系专班保存。")
        return
    p1, p2 = st.columns([3, 1], vertical_alignment="bottom")
    default = applied or preview.default_profile_name(name, sheet.sheet_name, several)
    pname = p1.text_input("导入方案名称", value=default, key=f"{key}_pname", max_chars=60,
                          help="按表头自动识别：以后上传表头相同的文件，自动套用这个方案。")
    if p2.button("保存为导入方案", key=f"{key}_psave", icon=":material/bookmark_add:"):
        saved = preview.save_sheet_profile(pname, sheet, upload.profiles_dir())
        auth.record("mapping_saved", target=saved.name, detail={"文件": name, "工作表": sheet.sheet_name})
        _set_choice(name, sheet.sheet_name, None)  # 此后由保存的方案套用：预览显示“已套用导入方案”
        st.session_state[K_NOTICE] = [("success", f"已保存导入方案“{saved.name}”（{saved.path.name}）。")]
        st.rerun()


def _sheet_panel(name: str, sheet, auto, choice, campaign: Campaign, key: str, several: bool) -> bool:
    """一张工作表的预览与调整；返回本表对应关系是否被手工改过（需要保存为导入方案）。"""
    kind = choice.kind if choice is not None and choice.kind == preview.SKIP else sheet.kind
    _kind_and_header(name, sheet, kind, key)
    if kind == preview.SKIP:
        st.warning(f"本表选为“不导入”（{sheet.rows_rejected} 行）。确认导入时保存为导入方案：以后表头相同的表也不导入，"
                   "导入问题记录里记为警告“未导入”。", icon=":material/block:")
        return True
    if kind is None:
        st.error(f"{sheet.error or '无法判断这张表的类型'}。请在“识别为”中选择类型。", icon=":material/error:")
        return False
    edited = preview.changed(auto, sheet)
    applied = preview.applied_profile(sheet)
    _mapping_notes(sheet, edited, applied)
    _columns_editor(name, sheet, auto, campaign, key)
    _outcome(sheet, campaign, key)
    _profile_row(name, sheet, applied, key, several)
    return edited


# ------------------------------------------------------------------ one staged file

def _confirm(name: str, campaign_id: str, current: list, choices: dict, edited: dict[str, bool], key: str,
             several: bool, rebuild: Callable[[tuple[str, ...]], None], area: UploadArea) -> None:
    """先把手工调整过的表存为导入方案，再把文件移入上传目录并重新生成数据库。"""
    if area.unit_id:
        refusal = preview.unit_upload_refusal(current, area.unit_id, area.unit_names)
        if refusal is None and any(edited.values()) and not auth.has("mapping"):
            # a saved mapping applies to every file with this header (other units' too): only 专班 saves one
            refusal = ("这个文件的列需要手工对应，而导入方案只能由专班保存。请用“填报模板”重新填写后上传，"
                       "或请专班为这种表头保存导入方案。文件未导入。")
        if refusal:
            auth.record("upload_refused", target=name, detail={"原因": refusal}, ok=False)
            st.session_state[K_NOTICE] = [("error", f"“{name}”：{refusal}")]
            st.rerun()
    msgs = []
    for i, sheet in enumerate(current):
        if edited.get(sheet.sheet_name):
            pname = st.session_state.get(f"{key}_{i}_pname") or \
                preview.default_profile_name(name, sheet.sheet_name, several)
            chosen = choices.get(sheet.sheet_name)
            saved = preview.save_sheet_profile(pname, sheet, upload.profiles_dir(),
                                               chosen.kind if chosen is not None else None)
            auth.record("mapping_saved", target=saved.name, detail={"文件": name, "工作表": sheet.sheet_name})
            msgs.append(("success", f"对应关系已保存为导入方案“{saved.name}”。"))
    try:
        done = upload.commit_staged(campaign_id, name, root=area.staging, unit_id=area.unit_id)
    except upload.UploadError as e:
        st.session_state[K_NOTICE] = [("error", str(e))]
        st.rerun()
    if done.replaced and not done.unchanged:
        msgs.append(("warning", f"“{name}”替换了原来上传的同名文件。"))
    st.session_state[K_NOTICE] = msgs
    forget(name)
    rebuild((name,))


@dataclass(frozen=True)
class UploadArea:
    """谁在上传：专班为公共暂存区（staging None、unit_id None）；单位账号为本单位的暂存区和上传目录。"""
    staging: Path | None = None
    unit_id: str | None = None
    unit_names: dict = field(default_factory=dict)


def staged_file(path: Path, campaign_id: str, campaign: Campaign,
                rebuild: Callable[[tuple[str, ...]], None], area: UploadArea) -> None:
    """一个暂存文件的面板：各表预览与调整（多表时分页签），确认导入（rebuild 重新生成数据库）或放弃。"""
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
            from etl.read_one import unreadable_reason

            st.error(f"无法读取这个文件：{unreadable_reason(e)}", icon=":material/error:")
            auto = current = []
        if hint := preview.other_campaign_hint(name, campaign):
            st.warning(hint, icon=":material/swap_horiz:")
        edited: dict[str, bool] = {}
        autos = {s.sheet_name: s for s in auto}
        several = len(current) > 1
        tabs = st.tabs([s.sheet_name or "表格" for s in current]) if several else [st.container() for _ in current]
        for i, (tab, sheet) in enumerate(zip(tabs, current, strict=True)):
            with tab:
                edited[sheet.sheet_name] = _sheet_panel(name, sheet, autos.get(sheet.sheet_name),
                                                        choices.get(sheet.sheet_name), campaign, f"{key}_{i}",
                                                        several)
        if not current and auto == []:
            st.caption("文件中没有可导入的工作表：请点“放弃”，改好后重新上传。")
        if any(edited.values()):
            st.caption("确认导入时，手工调整过的表会先保存为导入方案（名称如上），重新生成数据库时按它读取。")
        b1, b2, _ = st.columns([1, 1, 3])
        # a file with nothing readable in it can only be discarded (imported, it would show as 未导入 and nothing else)
        if current and b1.button("确认导入", type="primary", key=f"{key}_ok", icon=":material/check:"):
            _confirm(name, campaign_id, current, choices, edited, key, several, rebuild, area)
        if b2.button("放弃", key=f"{key}_drop", icon=":material/delete:"):
            upload.discard_staged(campaign_id, name, root=area.staging)
            forget(name)
            st.session_state[K_NOTICE] = [("info", f"已放弃“{name}”，文件未导入。")]
            st.rerun()
