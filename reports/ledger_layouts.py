"""两种台账版式（方案原样）：阜阳附件3“四单”（两行表头、“整改问题”合并）与海西附件2。

导出（ledger_export）和填报模板（templates）共用这里的列定义，保证与 ETL 读取的列名一致
（列名须是 etl/read/columns.py 中的同义词）。
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    key: str          # 数据字段：serial_no, category, manifestation, case_text, source_channel, measure,
    #                   deadline, responsible, progress, completed_date, remark
    header: str       # 表头文字
    width: float      # 列宽（字符）
    group: str = ""   # 两行表头的上层合并标题（阜阳“整改问题”）


@dataclass(frozen=True)
class Layout:
    key: str
    title: str
    cols: tuple[Col, ...]

    @property
    def two_row_header(self) -> bool:
        return any(c.group for c in self.cols)

    @property
    def header_rows(self) -> int:
        return 2 if self.two_row_header else 1

    def col_index(self, key: str) -> int:
        """1-based column number of a field."""
        return next(i for i, c in enumerate(self.cols, 1) if c.key == key)


FUYANG = Layout(
    "fuyang",
    "全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单",
    (
        Col("serial_no", "序号", 10),
        Col("category", "问题方面", 14, "整改问题"),
        Col("manifestation", "表现形式", 26, "整改问题"),
        Col("case_text", "具体案例", 40, "整改问题"),
        Col("source_channel", "问题来源", 12),
        Col("measure", "整改措施", 30),
        Col("deadline", "整改时限", 14),
        Col("responsible", "整改责任部门、责任人", 18),
        Col("progress", "整改进度", 16),
        Col("completed_date", "完成时间", 13),
        Col("remark", "备注", 14),
    ),
)

HAIXI = Layout(
    "haixi",
    "交通运输执法领域突出问题整改工作台账",
    (
        Col("serial_no", "编号", 10),
        Col("category", "问题类别", 14),
        Col("manifestation", "具体表现", 26),
        Col("case_text", "问题描述", 40),
        Col("source_channel", "问题来源", 12),
        Col("measure", "整改措施", 30),
        Col("responsible", "责任单位", 18),
        Col("deadline", "整改时限", 14),
        Col("progress", "整改进度及可验证成果", 22),
        Col("remark", "备注", 14),
    ),
)

LAYOUTS = {"fuyang": FUYANG, "haixi": HAIXI}

DATE_FORMAT_CN = 'yyyy"年"m"月"d"日"'
DEADLINE_WORDS = {"immediate": "立行立改", "long_term": "长期坚持"}
STATUS_WORDS = ("未整改", "整改中", "已整改", "已销号", "长期推进")


def layout_for(campaign) -> Layout:
    """按专项整治配置的 ledger_layout 选择版式。"""
    key = getattr(campaign, "ledger_layout", None) or "haixi"
    if key not in LAYOUTS:
        raise ValueError(f"未知的台账版式：{key}（应为 fuyang 或 haixi）")
    return LAYOUTS[key]


def meta_text(unit_name: str, when) -> str:
    """“填报单位：xx        填报时间：2023年9月21日”（合并在一个单元格里，ETL 可识别）。"""
    return f"填报单位：{unit_name}        填报时间：{when.year}年{when.month}月{when.day}日"
