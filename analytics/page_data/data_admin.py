"""数据管理页（导入结果部分）的数据：导入问题记录、台账报送情况（单位 × 报送节点及各单位次数统计）、报送记录。
上传、暂存、预览、重新生成在 dashboard/upload.py、import_preview.py、mapping_panel.py。"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.page_data import PageFilters, Run
from analytics.page_data.table_layout import Col, TableLayout, fit

ERROR_SEVERITIES = ("错误", "error")   # 旧库的级别为英文
REPORT_STATES = ("按时", "迟报", "未报", "待报")
ERROR_COLUMNS = {"severity": "级别", "file_name": "文件", "sheet_name": "工作表", "source_row": "行号",
                 "column_name": "列", "raw_value": "原值", "message": "说明", "unit_name": "单位"}
SUBMISSION_COLUMNS = {
    "unit_name": "单位", "kind_label": "类型", "as_of_date": "填报时间", "as_of_source": "填报时间来源",
    "file_name": "文件", "sheet_name": "工作表", "rows_read": "读取行数", "rows_loaded": "导入行数",
    "rows_rejected": "拒绝行数"}

# 导入问题记录在 1366 宽投影下整张放得下：默认只列级别、单位、文件、说明（说明里已写明哪一列、什么值）；
# 核对原文件时打开“显示工作表、行号、列、原值”。下载的是全部列。
_FILE = Col("文件", min_px=130, max_px=240, wrap=True)
ERROR_VIEW = [Col("级别", min_px=52), Col("单位", min_px=110, max_px=200, wrap=True), _FILE,
              Col("说明", min_px=300, wrap=True)]
ERROR_DETAIL_VIEW = [Col("级别", min_px=52), Col("文件", min_px=120, max_px=170, wrap=True),
                     Col("工作表", min_px=64, max_px=100, wrap=True), Col("行号"), Col("列", min_px=64, max_px=100, wrap=True),
                     Col("原值", min_px=80, max_px=130, wrap=True), Col("说明", min_px=300, wrap=True)]
# 重新生成后未导入的行（dashboard/import_preview.rejected_rows_frame 的列）
REJECTED_VIEW = [_FILE, Col("工作表", min_px=72, max_px=110, wrap=True), Col("行号"),
                 Col("列", min_px=64, max_px=120, wrap=True), Col("原值", min_px=90, max_px=170, wrap=True),
                 Col("原因", min_px=260, wrap=True)]
SUBMISSION_VIEW = [Col("单位", min_px=110, max_px=220, wrap=True), Col("类型"), Col("填报时间"),
                   Col("填报时间来源", wrap=True), Col("文件", min_px=130, max_px=260, wrap=True),
                   Col("工作表", min_px=72, max_px=110, wrap=True), Col("读取行数"), Col("导入行数"), Col("拒绝行数")]


def error_table_view(errors: pd.DataFrame, detail: bool) -> TableLayout:
    """导入问题记录的列宽与行高：detail=True 时含工作表、行号、列、原值（不含单位），说明窄一些、可能多到 8 行。"""
    return fit(errors, ERROR_DETAIL_VIEW, max_lines=8) if detail else fit(errors, ERROR_VIEW)


def rejected_rows_view(rejected: pd.DataFrame) -> TableLayout:
    return fit(rejected, REJECTED_VIEW)


def submissions_view(submissions: pd.DataFrame) -> TableLayout:
    return fit(submissions, [c for c in SUBMISSION_VIEW if c.name in submissions.columns])


@dataclass
class DataAdminData:
    errors: pd.DataFrame          # 导入问题记录（中文列）；空 = 全部导入、没有警告
    n_errors: int                 # 级别为“错误”的条数（该行或该表未导入）
    grace_days: int               # 台账报送宽限天数
    grid: pd.DataFrame            # ledger_report_grid：单位 × 报送节点的报送状态
    report_counts: pd.DataFrame   # 各单位按时/迟报/未报/待报次数（中文列）；grid 为空时为空
    late_units: pd.DataFrame      # report_counts 中有迟报或未报的单位
    submissions: pd.DataFrame     # 报送记录（中文列）

    @property
    def n_warnings(self) -> int:
        return len(self.errors) - self.n_errors


def error_table(errs: pd.DataFrame) -> pd.DataFrame:
    out = errs.rename(columns=ERROR_COLUMNS)
    out["级别"] = out["级别"].replace({"error": "错误", "warning": "警告"})
    out["原值"] = out["原值"].fillna("")            # 原值为空（如缺少必填项）显示空白，不显示 None
    return out


def report_counts(grid: pd.DataFrame) -> pd.DataFrame:
    """ledger_report_grid → 每个单位一行（按单位顺序）：按时、迟报、未报、待报的节点数。"""
    if grid.empty:
        return pd.DataFrame(columns=["单位", *REPORT_STATES])
    cnt = grid.pivot_table(index=["sort_order", "unit_name"], columns="report_status", values="due_date",
                           aggfunc="count", fill_value=0)
    cnt = cnt.reindex(columns=list(REPORT_STATES), fill_value=0) \
        .reset_index().drop(columns="sort_order").rename(columns={"unit_name": "单位"})
    cnt.columns.name = None
    return cnt


def data_admin_data(run: Run, f: PageFilters) -> DataAdminData:
    errs = run("load_errors_list", campaign_id=f.campaign_id)
    grid = run("ledger_report_grid", **f.params())
    counts = report_counts(grid)
    subs = run("submissions_list", campaign_id=f.campaign_id, units=list(f.units))
    return DataAdminData(
        errors=error_table(errs), n_errors=int(errs["severity"].isin(ERROR_SEVERITIES).sum()),
        grace_days=int(f.campaign.get("grace_days") or 0), grid=grid, report_counts=counts,
        late_units=counts[(counts["迟报"] > 0) | (counts["未报"] > 0)],
        submissions=subs.drop(columns=["submission_id"]).rename(columns=SUBMISSION_COLUMNS))
