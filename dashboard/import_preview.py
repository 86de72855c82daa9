"""上传预览（对应关系确认步骤）的非界面逻辑：用户的选择 → 一次性导入方案 → etl.preview 的结果 → 中文表格。

用户对一张工作表的选择（类型、表头行、各列字段）存为 SheetChoice；页面把它交给 run_preview 重新预览。
与自动识别的结果不同时（changed），确认导入前须保存为导入方案，否则重新生成数据库时无法按同样的对应关系读取。
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.build_result import KIND_LABELS
from etl.config import Campaign, list_campaigns, load_campaign
from etl.preview import SheetPreview, field_choices, field_label, override_for, preview_file
from etl.read.profiles import ImportProfile, save_profile
from etl.read.vocabulary import load_vocabulary, norm_header
from etl.validate.context import ERROR
from etl.validate.submission import unit_from_file_name

SKIP = "skip"
KIND_OPTIONS = {**KIND_LABELS, SKIP: "不导入"}
NOT_IMPORTED = "不导入"
OVERRIDE_NAME = "本次预览"  # etl.preview.override_for 给一次性方案的名字：不是已保存的导入方案
HOW_LABELS = {"词表": "表头与词表一致", "含义": "表头含义", "包含": "表头含字段名", "取值": "按列中的值",
              "测评维度": "测评维度", "导入方案": "导入方案"}
# 预览记录的中文列名（数据库列）；内部列（专项整治、报送编号、投诉人摘要等）不显示
RECORD_LABELS = {  # 编号、单位、内容在前（宽表只看得到前几列）
    "source_row": "行号", "unit_id": "单位",
    # 台账
    "serial_no": "序号", "case_text": "具体问题", "category": "问题方面", "manifestation_code": "表现形式编码",
    "manifestation": "表现形式", "source_channel": "问题来源", "measure": "整改措施", "deadline": "整改时限",
    "deadline_kind": "时限类型", "responsible": "责任单位、责任人", "status": "状态", "progress_text": "整改进展",
    "completed_date": "完成时间", "is_relapse": "是否反弹",
    # 线索
    "lead_id": "线索编号", "summary": "问题摘要", "channel": "线索来源", "received_date": "受理日期",
    "assigned_date": "交办日期", "due_date": "办理期限", "concluded_date": "办结日期", "on_time": "按时办结",
    "feedback_date": "反馈日期", "finding": "调查结论", "complainant_masked": "投诉人（脱敏）",
    "phone_masked": "联系电话（脱敏）", "handling_status": "工单状态", "given_due_date": "承诺完成时间",
    "visit_satisfaction": "回访满意度",
    # 满意度
    "survey_year": "测评年度", "response_id": "问卷编号", "respondent_type": "身份类别", "dimension": "测评维度",
    "score": "得分", "satisfaction_rate": "满意率", "sample_size": "样本量",
}
DEADLINE_KINDS = {"date": "具体日期", "immediate": "立行立改", "long_term": "长期坚持"}


@dataclass(frozen=True)
class SheetChoice:
    """用户对一张工作表的选择。columns 为 None：该类型、该表头行下按词表自动对应。"""
    kind: str  # etl 的类型，或 SKIP
    header_row: int
    header_rows: int = 1
    header_cells: tuple = ()
    columns: tuple[tuple[int, str | None], ...] | None = None

    def override(self) -> ImportProfile:
        return override_for(self.kind, self.header_row, self.header_rows, list(self.header_cells),
                            dict(self.columns or ()))


def choices_key(choices: dict[str, SheetChoice]) -> str:
    """选择的稳定文本形式（缓存键）。"""
    return json.dumps({k: [c.kind, c.header_row, c.header_rows, [str(x) for x in c.header_cells],
                           c.columns] for k, c in sorted(choices.items())}, ensure_ascii=False, default=str)


def run_preview(path: Path, campaign: Campaign, choices: dict[str, SheetChoice],
                profiles: list[ImportProfile]) -> list[SheetPreview]:
    overrides = {name: c.override() for name, c in choices.items()}
    return preview_file(Path(path), campaign, overrides or None, profiles)


# ------------------------------------------------------------------ choices from the user's edits
def kind_choice(sheet: SheetPreview, kind: str) -> SheetChoice:
    """换了类型：表头行不变，各列按新类型的词表重新对应。"""
    return SheetChoice(kind, max(sheet.header_row, 1), sheet.header_rows or 1)


def header_choice(sheet: SheetPreview, kind: str, header_row: int, header_rows: int) -> SheetChoice:
    """换了表头行（或表头行数）：各列按新的表头重新对应。"""
    return SheetChoice(kind, max(int(header_row), 1), header_rows)


def columns_choice(sheet: SheetPreview, fields: dict[int, str | None]) -> SheetChoice:
    """改了某些列的字段：整张表的对应关系都记下（未改的列保持当前的字段）。"""
    mapping = {c.index: c.field for c in sheet.columns}
    mapping.update(fields)
    return SheetChoice(sheet.kind, sheet.header_row, sheet.header_rows, tuple(sheet.header_cells),
                       tuple(sorted(mapping.items())))


def mapping_of(sheet: SheetPreview) -> dict[int, str | None]:
    return {c.index: c.field for c in sheet.columns}


def changed(auto: SheetPreview | None, current: SheetPreview) -> bool:
    """当前对应关系与自动识别（含已保存的导入方案）不同：需要保存为导入方案，重建时才能照样读取。"""
    if auto is None:
        return True
    return (auto.kind, auto.header_row, auto.header_rows, mapping_of(auto)) != (
        current.kind, current.header_row, current.header_rows, mapping_of(current))


def applied_profile(sheet: SheetPreview) -> str | None:
    """已套用的、保存过的导入方案名（一次性的预览选择不算）。"""
    return sheet.profile if sheet.profile and sheet.profile != OVERRIDE_NAME else None


def default_profile_name(file_name: str, sheet_name: str, several_sheets: bool) -> str:
    stem = Path(file_name).stem
    stem = re.sub(r"[_\-\s]*(19|20)\d{6}$", "", stem) or stem  # 文件名末尾的日期不属于表格式
    return f"{stem}-{sheet_name}" if several_sheets and sheet_name else stem


def save_sheet_profile(name: str, sheet: SheetPreview, folder: Path, kind: str | None = None) -> ImportProfile:
    """kind: SKIP for a sheet the user chose not to import (the profile then skips it in every build)."""
    if kind == SKIP:
        return save_profile(name, SKIP, sheet.header_cells, {}, sheet.header_rows, folder)
    return save_profile(name, sheet.kind, sheet.header_cells, mapping_of(sheet), sheet.header_rows, folder)


# ------------------------------------------------------------------ tables shown on the page
def field_options(kind: str, campaign: Campaign) -> dict[str, str | None]:
    """下拉选项：中文标签 → 字段（“不导入” → None）；标签重名时加序号（联系电话、联系电话2 …）。"""
    out: dict[str, str | None] = {NOT_IMPORTED: None}
    for name in field_choices(kind, campaign):
        label = f"测评维度：{name[4:]}" if name.startswith("dim:") else field_label(kind, name)
        m = re.search(r"_(\d+)$", name)
        if label in out and m:
            label = f"{label}{m.group(1)}"
        while label in out:
            label += "＊"
        out[label] = name
    return out


def _how(sheet: SheetPreview, col) -> str:
    if col.field is None:
        return "系统记录列，无需导入" if norm_header(col.header) in load_vocabulary().ignore else "未识别"
    if col.how == "导入方案" and applied_profile(sheet):
        return f"导入方案“{applied_profile(sheet)}”"
    return HOW_LABELS.get(col.how or "", col.how or "")


def columns_frame(sheet: SheetPreview, options: dict[str, str | None], auto: SheetPreview | None = None) -> pd.DataFrame:
    """列 | 表头 | 导入为 | 依据。auto：自动识别的结果；与它不同的列，依据为“手工指定”。"""
    label_of = {v: k for k, v in options.items()}
    manual = sheet.profile == OVERRIDE_NAME and auto is not None
    before = {c.index: c for c in auto.columns} if manual and auto.kind == sheet.kind else {}
    rows = []
    for c in sheet.columns:
        label = label_of.get(c.field, field_label(sheet.kind or "", c.field) if c.field else NOT_IMPORTED)
        was = before.get(c.index)
        if not manual or (c.how != "导入方案" and c.field is not None):
            how = _how(sheet, c)
        elif was is not None and was.field == c.field:
            how = _how(auto, was)
        else:
            how = "手工指定" if c.field else "手工设为不导入"
        rows.append({"列": c.letter, "表头": c.header.replace("\n", " "), "导入为": label, "依据": how})
    return pd.DataFrame(rows, columns=["列", "表头", "导入为", "依据"])


def fields_from_labels(sheet: SheetPreview, labels: list[str], options: dict[str, str | None]) -> dict[int, str | None]:
    """编辑后的“导入为”列（与 sheet.columns 同序）→ 列序号 → 字段。"""
    return {c.index: options.get(label) for c, label in zip(sheet.columns, labels, strict=True)}


def duplicate_fields(sheet: SheetPreview) -> list[tuple[str, list[str]]]:
    """同一字段选给了多列：只有一列会导入。→ [(字段标签, [列字母…])]"""
    seen: dict[str, list[str]] = {}
    for c in sheet.columns:
        if c.field:
            seen.setdefault(c.field, []).append(c.letter)
    return [(field_label(sheet.kind or "", f), letters) for f, letters in seen.items() if len(letters) > 1]


def counts_line(sheet: SheetPreview) -> str:
    return (f"将导入 {sheet.rows_loaded} 行，未导入 {sheet.rows_rejected} 行"
            f"（共读取 {sheet.rows_read} 行）")


def _cell(v) -> object:
    if isinstance(v, bool):
        return "是" if v else "否"
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    return "" if v is None else v


def records_frame(sheet: SheetPreview, campaign: Campaign) -> pd.DataFrame:
    """前几行将要写入数据库的内容（中文列名，单位写名称；投诉人、电话只有脱敏值）。"""
    if not sheet.records:
        return pd.DataFrame()
    names = {u.id: u.name for u in campaign.units}
    cols = [c for c in RECORD_LABELS if c in sheet.records[0]]
    rows = []
    for r in sheet.records:
        row = {}
        for c in cols:
            v = r.get(c)
            if c == "unit_id":
                v = names.get(v, v)
            elif c == "deadline_kind":
                v = DEADLINE_KINDS.get(v, v)
            row[RECORD_LABELS[c]] = _cell(v)
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.loc[:, [c for c in out.columns if c == "行号" or (out[c] != "").any()]]  # 全空的列不显示


def problems_frame(sheet: SheetPreview, severity: str = ERROR) -> pd.DataFrame:
    """未导入的行（错误）或需核对的行（警告）：行号 | 列 | 原值 | 原因。"""
    rows = [{"行号": e.source_row, "列": e.column_name or "",
             "原值": "" if e.raw_value is None else str(e.raw_value), "原因": e.message}
            for e in sheet.errors if e.severity == severity]
    return pd.DataFrame(rows, columns=["行号", "列", "原值", "原因"]).astype({"行号": "Int64"})


# ------------------------------------------------------------------ after a rebuild: what was not imported first
def not_imported_lines(result, campaign_id: str | None = None) -> list[tuple[str, str]]:
    """重建结果中整张表、整个文件未导入的说明，各带所在的文件名（etl.build.BuildResult；只列该专项整治的）。"""
    lines = [(s.file_name, f"工作表未导入：{s.file_name}" + (f"〔{s.sheet_name}〕" if s.sheet_name else "")
              + f"，{s.rows_rejected} 行") for s in result.sheets_not_loaded() if campaign_id in (None, s.campaign_id)]
    lines += [(e.file_name, f"文件未导入：{e.file_name}（{e.message}）") for e in result.files_not_loaded()
              if campaign_id in (None, e.campaign_id)]
    return lines


def not_imported_boxes(result, campaign_id: str, focus: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """重建后“未导入的内容”的提示框（级别 error / info，文字）。刚确认导入了文件时，这些文件的单独一框（错误），
    其他已上传文件中原有的另起一框（提示）：否则刚说完“导入 5 行，没有未导入的行”，下面红框里却是别的文件的 5 条，
    会被读成“我的文件出错了”。"""
    rejected = rejected_rows_frame(result, focus, campaign_id)
    pairs = not_imported_lines(result, campaign_id)

    def lines(mine: bool) -> list[str]:
        found = [line for name, line in pairs if (name in focus) == mine]
        n = int((rejected["文件"].isin(focus) == mine).sum())
        return found + ([f"未导入的行（错误）{n} 条，见下表"] if n else [])

    def bullets(found: list[str]) -> str:
        return "".join(f"\n- {x}" for x in found)

    mine, others = lines(True), lines(False)  # (no file just imported: every line is among the others)
    boxes = [("error", "**这次导入的文件中未导入的内容**" + bullets(mine))] if mine else []
    if others and focus:
        boxes.append(("info", "**其他已上传文件中原有的未导入内容**（不是这次上传的文件，以前就有；各条见下表和“导入问题记录”）"
                      + bullets(others)))
    elif others:
        boxes.append(("error", "**未导入的内容**" + bullets(others)))
    return boxes


def rejected_rows_frame(result, first_files: tuple[str, ...] = (), campaign_id: str | None = None) -> pd.DataFrame:
    """重建时未导入的行（错误级问题记录）：刚确认导入的文件排在前面。"""
    rows = [{"文件": e.file_name, "工作表": e.sheet_name or "", "行号": e.source_row,
             "列": e.column_name or "", "原值": "" if e.raw_value is None else str(e.raw_value), "原因": e.message}
            for e in result.errors if e.severity == ERROR and campaign_id in (None, e.campaign_id)]
    rows.sort(key=lambda r: r["文件"] not in first_files)
    return pd.DataFrame(rows, columns=["文件", "工作表", "行号", "列", "原值", "原因"]).astype({"行号": "Int64"})


def file_outcome(result, campaign_id: str, file_name: str) -> str:
    """刚确认导入的文件在重建中的结果：导入几行、未导入几行（不笼统地说“已导入”）。"""
    subs = [s for s in result.submissions if s.campaign_id == campaign_id and s.file_name == file_name]
    skipped = [e for e in result.files_not_loaded() if e.campaign_id == campaign_id and e.file_name == file_name]
    if skipped:
        return f"“{file_name}”未导入：{skipped[0].message}"
    if not subs:
        return f"“{file_name}”中没有可导入的数据，未导入任何行"
    loaded, rejected = sum(s.rows_loaded for s in subs), sum(s.rows_rejected for s in subs)
    text = f"“{file_name}”：导入 {loaded} 行"
    return text + (f"，未导入 {rejected} 行（见下方红色清单）" if rejected else "，没有未导入的行")


def other_campaign_hint(file_name: str, campaign: Campaign) -> str | None:
    """文件名里的单位不是本专项整治的、却是另一个专项整治的：多半是侧栏选错了专项整治（各行会报“缺少可识别的
    填报单位”，看不出原因）。"""
    if unit_from_file_name(file_name, campaign) is not None:
        return None
    for other_id in list_campaigns():
        if other_id == campaign.id:
            continue
        other = load_campaign(other_id)
        unit = unit_from_file_name(file_name, other)
        if unit is not None:
            name = next((u.name for u in other.units if u.id == unit), unit)
            return (f"文件名中的单位“{name}”属于“{other.short_name}”，不是当前所选的“{campaign.short_name}”的单位："
                    "是否选错了专项整治？如是，请放弃这个文件，在侧栏切换专项整治后重新上传。")
    return None


def unit_upload_refusal(sheets: list[SheetPreview], unit_id: str, unit_names: dict[str, str]) -> str | None:
    """单位账号只能上传本单位的文件：有别的单位、或认不出单位的行时返回不导入的原因，否则 None。"""
    others = sorted({u for s in sheets for u in s.units if u and u != unit_id})
    if others:
        names = "、".join(unit_names.get(u, u) for u in others)
        return f"文件中有其他单位（{names}）的数据；单位账号只能上传本单位的文件。文件未导入。"
    if any("" in s.units for s in sheets):
        return "文件中有认不出填报单位的行；单位账号上传的文件须每行都属于本单位。文件未导入。"
    if not any(s.rows_loaded for s in sheets):
        return "文件中没有可导入的本单位数据。文件未导入。"
    return None
