-- problems：每个问题的最新一期台账记录。
CREATE VIEW problems AS
SELECT *
FROM ledger_snapshots
QUALIFY row_number() OVER (PARTITION BY campaign_id, problem_id
                           ORDER BY as_of_date DESC, submission_id DESC) = 1;

-- 口径标志（标量宏）：状态、结论等取值只在这里写一次；查询用表宏输出的 is_* 列，不再自己写取值。
-- 已整改 / 已销号 = 完成；未整改 / 整改中 = 未完成（长期推进两者都不是）。
CREATE MACRO status_is_rectified(status_val) AS status_val = '已整改';
CREATE MACRO status_is_closed(status_val) AS status_val = '已销号';
CREATE MACRO status_is_done(status_val) AS status_val IN ('已整改', '已销号');
CREATE MACRO status_is_open(status_val) AS status_val IN ('未整改', '整改中');
CREATE MACRO status_is_long_term(status_val) AS status_val = '长期推进';
-- 逾期：整改时限是具体日期、早于 on_date，且仍未整改或整改中（“立行立改”“长期推进”不算逾期）。
CREATE MACRO problem_is_overdue(kind_val, deadline_val, status_val, on_date) AS
    kind_val = 'date' AND deadline_val < CAST(on_date AS DATE) AND status_is_open(status_val);
-- 逾期起始日：从这一天（时限次日）起 problem_is_overdue 为真；不会逾期的（非具体日期、已完成、长期推进）为 NULL。
-- 趋势查询用它按区间累计逾期数，不必把每个问题展开到每个日期。
CREATE MACRO problem_overdue_from(kind_val, deadline_val, status_val) AS
    CASE WHEN problem_is_overdue(kind_val, deadline_val, status_val, DATE '9999-12-31') THEN deadline_val + 1 END;
CREATE MACRO channel_is_self_inspection(channel_val) AS channel_val = '自查自纠';
-- 线索核查结论“属实”：属实或部分属实。
CREATE MACRO finding_is_found(finding_val) AS finding_val IN ('属实', '部分属实');

-- 指标口径“截至统计日”：问题在日期 D 的状态 = 它 as_of_date <= D 的最新一期快照
-- （同日多次报送取 submission_id 最大的一次）。queries/*.sql 与数据探索里的 SQL 都用这两个宏，
-- 不再各抄一份 CTE。宏参数不与任何列同名（同名时参数会静默地顶替列）。
--   SELECT * FROM problems_as_of('fuyang-2023', DATE '2023-09-21');
-- 分区键含 unit_id：problem_id 以“unit_id:”开头（etl/validate/ledger.py problem_id），
-- 所以与只按 problem_id 分区结果相同；好处是外层按 unit_id / problem_id 的条件能下推到窗口之前。
-- 输出 ledger_snapshots 全部列，另加口径标志 is_rectified、is_closed、is_done、is_open、is_long_term、
-- is_overdue（截至 as_of）、is_self_inspection。
-- 取最新一期的行由 latest_snapshots 宏完成：这里是它的定义（对全部快照开窗）；建库时 etl/sql/precompute.sql
-- 用预先算好的 problem_periods 表重新定义它（同样的行，只是筛选一张表），problems_as_of 本身不变。
CREATE MACRO latest_snapshots(cid, as_of) AS TABLE
SELECT *
FROM ledger_snapshots
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (PARTITION BY unit_id, problem_id
                           ORDER BY as_of_date DESC, submission_id DESC) = 1;

CREATE MACRO problems_as_of(cid, as_of) AS TABLE
SELECT *,
    status_is_rectified(status) AS is_rectified,
    status_is_closed(status) AS is_closed,
    status_is_done(status) AS is_done,
    status_is_open(status) AS is_open,
    status_is_long_term(status) AS is_long_term,
    problem_is_overdue(deadline_kind, deadline, status, as_of) AS is_overdue,
    channel_is_self_inspection(source_channel) AS is_self_inspection
FROM latest_snapshots(cid, as_of);

-- 侧栏公共筛选：单位、问题方面、问题来源（空列表 = 不限）。标量宏，filtered_problems 用它；
-- 同一查询里既要筛过的又要未筛的最新一期时（如 relapse_list），对 problems_as_of 的结果直接用它，免得算两遍。
CREATE MACRO sidebar_match(unit_val, category_val, channel_val, unit_list, category_list, channel_list) AS
    (len(unit_list) = 0 OR list_contains(unit_list, unit_val))
    AND (len(category_list) = 0 OR list_contains(category_list, category_val))
    AND (len(channel_list) = 0 OR list_contains(channel_list, channel_val));

-- problems_as_of 再按侧栏筛选；问题方面、来源按最新一期的取值筛（在取最新一期之后）。
--   SELECT * FROM filtered_problems('fuyang-2023', DATE '2023-09-21', ['linquan'], [], ['信访']);
CREATE MACRO filtered_problems(cid, as_of, unit_list, category_list, channel_list) AS TABLE
SELECT *
FROM problems_as_of(cid, as_of)
WHERE sidebar_match(unit_id, category, source_channel, unit_list, category_list, channel_list);

-- 线索口径：截至 as_of 已受理（无受理日期时按交办日期）的线索，按侧栏筛选（问题方面、线索来源）。
-- 输出 leads 全部列，另加截至 as_of 的口径标志：
--   is_assigned 已交办；is_concluded 已办结；is_overdue_open 未办结且已过办理期限（工作日）；
--   is_on_time 按时办结（办结日不晚于办理期限，没有期限时看来源表的“是否按时”）；
--   is_on_time_due 按时办结率的分母（已办结，或未办结但期限已过）；is_fed_back 已办结且已反馈；
--   is_found 已办结且属实 / 部分属实；has_finding 已办结且有核查结论。
--   SELECT count(*) FILTER (is_overdue_open) FROM leads_as_of('fuyang-2023', DATE '2023-09-21', [], [], []);
CREATE MACRO leads_as_of(cid, as_of, unit_list, category_list, channel_list) AS TABLE
WITH received_leads AS (
    SELECT *,
        concluded_date IS NOT NULL AND concluded_date <= CAST(as_of AS DATE) AS is_concluded
    FROM leads
    WHERE campaign_id = cid
      AND coalesce(received_date, assigned_date) <= CAST(as_of AS DATE)
      AND sidebar_match(unit_id, category, channel, unit_list, category_list, channel_list)
)
SELECT *,
    NOT is_concluded AND due_date < CAST(as_of AS DATE) AS is_overdue_open,
    assigned_date <= CAST(as_of AS DATE) AS is_assigned,
    is_concluded AND coalesce(concluded_date <= due_date, on_time, false) AS is_on_time,
    is_concluded OR due_date < CAST(as_of AS DATE) AS is_on_time_due,
    is_concluded AND feedback_date <= CAST(as_of AS DATE) AS is_fed_back,
    is_concluded AND finding_is_found(finding) AS is_found,
    is_concluded AND finding IS NOT NULL AS has_finding
FROM received_leads;

-- 重复投诉人的候选：全部线索中同一摘要（complainant_key）有 2 件及以上的，每个单位、摘要一行。截至任何统计日、
-- 在任何筛选下的重复投诉人都在其中（件数只会更少），查询先用它缩小范围，再按统计日与筛选重新计数。
-- 建库时 etl/sql/precompute.sql 把 …_computed 的结果存成表 repeat_complainant_keys，并让不带后缀的宏读表
-- （两个名字：precompute.sql 再执行一次时仍从线索计算，不会读到它刚清空的表）。
CREATE MACRO repeat_complainant_candidates_computed(cid) AS TABLE
SELECT DISTINCT leads.campaign_id, leads.unit_id, leads.complainant_key
FROM leads
SEMI JOIN (SELECT complainant_key FROM leads WHERE campaign_id = cid AND complainant_key IS NOT NULL
           GROUP BY complainant_key HAVING count(*) >= 2) AS repeated
       ON repeated.complainant_key = leads.complainant_key
WHERE leads.campaign_id = cid;

CREATE MACRO repeat_complainant_candidates(cid) AS TABLE
SELECT * FROM repeat_complainant_candidates_computed(cid);

-- 按日期的口径（趋势图用）：campaign 在 as_of 及以前的每个台账快照日期 × 每个问题在该日及以前的最新一期，
-- 按侧栏筛选，口径标志同 problems_as_of（is_overdue 按该快照日期）。每行快照有效到该问题下一期快照的日期（不含），与日期做区间连接，
-- 等价于对每个日期分别取 problems_as_of，但只扫一遍。快照日期取全部单位的，各单位的趋势横轴一致。
--   SELECT snap_date, count(*) FROM filtered_problems_by_date('fuyang-2023', DATE '2023-09-21', [], [], []) GROUP BY 1;
-- snapshots_with_validity：每行快照及其有效期止（不含）；建库时 etl/sql/precompute.sql 同样用 problem_periods 重新定义它。
CREATE MACRO snapshots_with_validity(cid, as_of, unit_list) AS TABLE
SELECT *,
    coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
             DATE '9999-12-31') AS valid_until
FROM ledger_snapshots
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
  AND (len(unit_list) = 0 OR list_contains(unit_list, unit_id));

CREATE MACRO filtered_problems_by_date(cid, as_of, unit_list, category_list, channel_list) AS TABLE
WITH valid AS (
    SELECT * FROM snapshots_with_validity(cid, as_of, unit_list)
), snapshot_dates AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
)
SELECT snapshot_dates.snap_date, valid.* EXCLUDE (valid_until),
    status_is_rectified(valid.status) AS is_rectified,
    status_is_closed(valid.status) AS is_closed,
    status_is_done(valid.status) AS is_done,
    status_is_open(valid.status) AS is_open,
    status_is_long_term(valid.status) AS is_long_term,
    problem_is_overdue(valid.deadline_kind, valid.deadline, valid.status, snapshot_dates.snap_date) AS is_overdue,
    channel_is_self_inspection(valid.source_channel) AS is_self_inspection
FROM valid
JOIN snapshot_dates ON snapshot_dates.snap_date >= valid.as_of_date AND snapshot_dates.snap_date < valid.valid_until
WHERE sidebar_match(valid.unit_id, valid.category, valid.source_channel, [], category_list, channel_list);

-- 台账报送（“报送”在 SQL 里只指台账报送；会议材料在 reports/）。
-- 报送窗口：每个报送节点的窗口为（上一节点 + 宽限天数, 本节点 + 宽限天数]；窗口内有台账报送即按时。
-- next_due 为下一个报送节点（最后一个节点为 9999-12-31），迟报与未报以它为界。
CREATE MACRO ledger_report_windows(cid) AS TABLE
SELECT
    due.due_date,
    lag(due.due_date) OVER (ORDER BY due.due_date) + campaign.grace_days AS win_start,
    due.due_date + campaign.grace_days AS win_end,
    coalesce(lead(due.due_date) OVER (ORDER BY due.due_date), DATE '9999-12-31') AS next_due,
    campaign.grace_days
FROM report_due_dates AS due
JOIN campaigns AS campaign USING (campaign_id)
WHERE due.campaign_id = cid;

-- 应报送的 单位 × 报送节点：按侧栏单位筛选（空列表 = 全部单位），只含不晚于 as_of 的节点，带窗口各列。
--   SELECT * FROM ledger_reports_due('fuyang-2023', DATE '2023-09-21', []);
CREATE MACRO ledger_reports_due(cid, as_of, unit_list) AS TABLE
SELECT unit.unit_id, unit.name AS unit_name, unit.kind, unit.sort_order, windows.*
FROM units AS unit
CROSS JOIN ledger_report_windows(cid) AS windows
WHERE unit.campaign_id = cid
  AND (len(unit_list) = 0 OR list_contains(unit_list, unit.unit_id))
  AND windows.due_date <= CAST(as_of AS DATE);

-- 截至 as_of 的台账报送（submissions 中 kind = 'ledger' 的行）。
CREATE MACRO ledger_reports_as_of(cid, as_of) AS TABLE
SELECT *
FROM submissions
WHERE campaign_id = cid AND kind = 'ledger' AND as_of_date <= CAST(as_of AS DATE);

-- 一次报送（填报日期 report_date）是否落在报送窗口（win_start, win_end] 内（第一个节点没有 win_start）。
CREATE MACRO in_report_window(submitted_on, start_val, end_val) AS
    (start_val IS NULL OR submitted_on > start_val) AND submitted_on <= end_val;

-- 每份问卷一行（逐份问卷按 单位、问卷编号 归并）：题数 answers（含未作答的题）、有分的题数 scored、总分 total、
-- 平均分 resp_mean。满意度各查询按年度 / 单位从这里汇总，不必每次扫全部逐题答案；
-- 建库时 etl/sql/precompute.sql 把 …_computed 的结果存成表 survey_response_scores，并让不带后缀的宏读表。
CREATE MACRO response_scores_computed(cid) AS TABLE
SELECT campaign_id, survey_year, unit_id, response_id,
    count(*) AS answers, count(score) AS scored, CAST(sum(score) AS BIGINT) AS total, avg(score) AS resp_mean
FROM survey_responses
WHERE campaign_id = cid
GROUP BY campaign_id, survey_year, unit_id, response_id;

CREATE MACRO response_scores(cid) AS TABLE
SELECT * FROM response_scores_computed(cid);

-- 满意度汇总表（一个单位一行）只补充“该年度没有逐份问卷”的单位：有问卷的单位以问卷为准。
-- score_or_rate = 汇总表得分，没有得分时取满意率（0–100）。满意度各查询都从这里取汇总表的行。
--   SELECT * FROM summary_only_scores('fuyang-2023', 2023, []);
CREATE MACRO summary_only_scores(cid, max_year, unit_list) AS TABLE
SELECT x.*, coalesce(x.score, x.satisfaction_rate) AS score_or_rate
FROM survey_unit_scores x
WHERE x.campaign_id = cid AND x.survey_year <= max_year
  AND (len(unit_list) = 0 OR list_contains(unit_list, x.unit_id))
  AND NOT EXISTS (SELECT 1 FROM response_scores(cid) y   -- 每份问卷一行，比逐题答案少得多
                  WHERE y.survey_year = x.survey_year AND y.unit_id = x.unit_id);
