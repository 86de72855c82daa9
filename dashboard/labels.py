"""表格和下载数据的中文列名：一个字典 COLUMN_LABELS 覆盖所有查询的列名。

同一列名在不同查询里含义不同时，字典里放最常见的含义，另一处用一个小覆盖表（见 REPORT_DUE_LABELS）。
不调用 streamlit：页面经 ui.table / ui.chart 使用，测试和报表也可直接用。
"""
from __future__ import annotations

import pandas as pd

COLUMN_LABELS = {
    # 单位与整改进度（unit_progress、kpi_overview、completion_trend …）
    "unit_id": "单位编码", "unit_name": "单位", "sort_order": "排序", "name": "名称", "kind": "类型",
    "problems": "查摆问题数", "rectified": "已整改", "closed": "已销号", "done": "已整改+已销号",
    "open_problems": "未整改+整改中", "overdue": "逾期问题", "relapse": "反弹问题", "self_inspection": "自查自纠问题",
    "last_snapshot": "最近台账日期", "leads_received": "受理线索", "leads_concluded": "已办结线索",
    "leads_ontime": "按时办结", "leads_ontime_den": "期限已到或已办结", "leads_feedback": "已反馈",
    "leads_open_overdue": "超期未办结", "reports_due": "应报次数", "reports_ontime": "按时报送",
    "reports_missed": "未按时报送", "reports_pending": "待报送", "lagging_score": "滞后评分", "lagging_state": "状态",
    "lagging_reasons": "扣分项", "snap_date": "快照日期", "completion": "整改率", "closure": "销号率",
    # 台账问题
    "problem_id": "问题内部编号", "serial_no": "问题编号（台账序号）", "category": "问题方面", "category_no": "方面序号",
    "manifestation_code": "表现形式编码", "manifestation": "表现形式", "case_text": "具体问题",
    "source_channel": "问题来源", "measure": "整改措施", "deadline": "整改时限", "deadline_kind": "时限类型",
    "responsible": "责任部门、责任人", "status": "状态", "progress_text": "整改进度", "completed_date": "完成时间",
    "is_overdue": "是否逾期", "last_reported": "最近报送日期", "as_of_date": "台账日期", "share": "占比",
    "cum_share": "累计占比", "source": "数据来源", "n": "数量",
    # 反弹问题
    "is_relapse": "是否反弹", "relapse_of": "重复的前期问题", "relapse_of_serial": "重复的前期问题编号",
    "relapse_basis": "反弹判定依据", "relapses": "反弹问题数", "relapses_done": "其中已整改或销号",
    "new_relapses": "当期新发现", "first_reported": "首次报送", "earlier_found": "找到前期问题",
    "earlier_serial_no": "前期问题编号", "earlier_unit_name": "前期问题单位", "earlier_category": "前期问题方面",
    "earlier_manifestation": "前期表现形式", "earlier_case_text": "前期具体问题", "earlier_status": "前期问题状态",
    "earlier_done_date": "前期整改/销号日期",
    # 线索（due_date = 线索的办理期限；台账报送节点见 REPORT_DUE_LABELS）
    "lead_id": "线索编号", "channel": "来源渠道", "summary": "问题摘要", "received_date": "受理日期",
    "assigned_date": "交办日期", "due_date": "办理期限", "due_date_provisional": "期限为推算",
    "concluded_date": "办结日期", "feedback_date": "反馈日期", "finding": "调查结论", "lead_status": "办理情况",
    "complainant_masked": "投诉人", "phone_masked": "联系电话", "received": "受理", "assigned": "交办",
    "concluded": "办结", "fed_back": "已反馈",
    "open_overdue": "超期未办结", "found": "属实+部分属实", "with_finding": "有调查结论", "step": "办理环节",
    "leads": "线索件数", "share_of_received": "占受理比例", "overdue_workdays": "超期工作日数",
    "workdays_since_assigned": "交办后工作日数", "max_age": "最长超期工作日", "oldest_due": "最早办理期限",
    "any_provisional": "有推算的期限", "seq": "序号", "units_involved": "涉及单位数", "unit_names": "涉及单位",
    "categories": "问题方面", "first_received": "首次受理", "last_received": "最近受理", "lead_ids": "线索编号",
    # 台账报送
    "grace_end": "宽限截止", "first_report_date": "首次报送日期", "submissions": "报送次数",
    "report_date": "报送日期", "report_status": "报送情况", "days_late": "迟报天数",
    # 满意度测评
    "survey_year": "测评年度", "responses": "样本量", "respondents": "问卷份数", "answers": "作答题数",
    "score": "满意度得分", "mean_score": "平均分（1–5）", "ci_half": "置信区间半宽", "ci_low": "95%置信下限",
    "ci_high": "95%置信上限", "rankable": "参与排名", "rank": "排名", "n_rankable": "可排名单位数",
    "min_responses": "最少问卷份数", "is_low": "满意度低", "low_reason": "说明", "dimension": "测评维度",
    "prev_year": "上一测评年度", "prev_score": "上年得分", "change": "变化（分）",
}
# ledger_report_grid.sql 的 due_date 是台账报送节点（截止日期），不是线索的办理期限
REPORT_DUE_LABELS = {"due_date": "报送节点"}
DEADLINE_KINDS = {"date": "具体日期", "immediate": "立行立改", "long_term": "长期坚持"}
INTERNAL_COLUMNS = ("sort_order", "unit_id")


def chinese_columns(df: pd.DataFrame, overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """列名换成中文（overrides 优先，未知列保持原名），布尔值显示为 是/否，日期为文本，时限类型显示中文。"""
    out = df.copy()
    if "deadline_kind" in out:
        out["deadline_kind"] = out["deadline_kind"].map(lambda v: DEADLINE_KINDS.get(v, v))
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = out[c].map({True: "是", False: "否"})
        elif pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    names = COLUMN_LABELS | (overrides or {})
    return out.rename(columns=lambda c: names.get(c, c))


def chart_download(df: pd.DataFrame, drop: tuple[str, ...] = INTERNAL_COLUMNS,
                   overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """图下的下载数据：去掉内部列（排序、单位编码），列名换成中文。"""
    return chinese_columns(df.drop(columns=[c for c in drop if c in df.columns]), overrides)
