-- problems：每个问题的最新一期台账记录。
CREATE VIEW problems AS
SELECT *
FROM ledger_snapshots
QUALIFY row_number() OVER (PARTITION BY campaign_id, problem_id
                           ORDER BY as_of_date DESC, submission_id DESC) = 1;

-- 指标口径“截至统计日”：问题在日期 D 的状态 = 它 as_of_date <= D 的最新一期快照
-- （同日多次报送取 submission_id 最大的一次）。queries/*.sql 与数据探索里的 SQL 都用这两个宏，
-- 不再各抄一份 CTE。宏参数不与任何列同名（同名时参数会静默地顶替列）。
--   SELECT * FROM problems_as_of('fuyang-2023', DATE '2023-09-21');
-- 分区键含 unit_id：problem_id 以“unit_id:”开头（etl/validate/ledger.py problem_id），
-- 所以与只按 problem_id 分区结果相同；好处是外层按 unit_id / problem_id 的条件能下推到窗口之前。
CREATE MACRO problems_as_of(cid, as_of) AS TABLE
SELECT *
FROM ledger_snapshots
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (PARTITION BY unit_id, problem_id
                           ORDER BY as_of_date DESC, submission_id DESC) = 1;

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

-- 线索口径：截至 as_of 已受理（无受理日期时按交办日期）的线索，按侧栏筛选（问题方面、线索来源）；
-- is_concluded = 截至 as_of 已办结，is_overdue_open = 截至 as_of 未办结且已过办理期限（工作日）。
--   SELECT count(*) FILTER (is_overdue_open) FROM leads_as_of('fuyang-2023', DATE '2023-09-21', [], [], []);
CREATE MACRO leads_as_of(cid, as_of, unit_list, category_list, channel_list) AS TABLE
SELECT *,
       concluded_date IS NOT NULL AND concluded_date <= CAST(as_of AS DATE) AS is_concluded,
       NOT (concluded_date IS NOT NULL AND concluded_date <= CAST(as_of AS DATE))
           AND due_date < CAST(as_of AS DATE) AS is_overdue_open
FROM leads
WHERE campaign_id = cid
  AND coalesce(received_date, assigned_date) <= CAST(as_of AS DATE)
  AND sidebar_match(unit_id, category, channel, unit_list, category_list, channel_list);

-- 按日期的口径（趋势图用）：campaign 在 as_of 及以前的每个台账快照日期 × 每个问题在该日及以前的最新一期，
-- 按侧栏筛选。每行快照有效到该问题下一期快照的日期（不含），与日期做区间连接，
-- 等价于对每个日期分别取 problems_as_of，但只扫一遍。快照日期取全部单位的，各单位的趋势横轴一致。
--   SELECT snap_date, count(*) FROM filtered_problems_by_date('fuyang-2023', DATE '2023-09-21', [], [], []) GROUP BY 1;
CREATE MACRO filtered_problems_by_date(cid, as_of, unit_list, category_list, channel_list) AS TABLE
WITH valid AS (
    SELECT *,
        coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
                 DATE '9999-12-31') AS valid_until
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
      AND (len(unit_list) = 0 OR list_contains(unit_list, unit_id))
), snapshot_dates AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
)
SELECT d.snap_date, v.* EXCLUDE (valid_until)
FROM valid AS v
JOIN snapshot_dates AS d ON d.snap_date >= v.as_of_date AND d.snap_date < v.valid_until
WHERE sidebar_match(v.unit_id, v.category, v.source_channel, [], category_list, channel_list);

-- 台账报送窗口：每个报送节点的窗口为（上一节点 + 宽限天数, 本节点 + 宽限天数]；窗口内有台账报送即按时。
-- next_due 为下一个报送节点（最后一个节点为 9999-12-31），迟报与未报以它为界。
CREATE MACRO report_windows(cid) AS TABLE
SELECT
    d.due_date,
    lag(d.due_date) OVER (ORDER BY d.due_date) + c.grace_days AS win_start,
    d.due_date + c.grace_days AS win_end,
    coalesce(lead(d.due_date) OVER (ORDER BY d.due_date), DATE '9999-12-31') AS next_due,
    c.grace_days
FROM report_due_dates AS d
JOIN campaigns AS c USING (campaign_id)
WHERE d.campaign_id = cid;

-- 满意度汇总表（一个单位一行）只补充“该年度没有逐份问卷”的单位：有问卷的单位以问卷为准。
-- score_or_rate = 汇总表得分，没有得分时取满意率（0–100）。满意度各查询都从这里取汇总表的行。
--   SELECT * FROM summary_only_scores('fuyang-2023', 2023, []);
CREATE MACRO summary_only_scores(cid, max_year, unit_list) AS TABLE
SELECT x.*, coalesce(x.score, x.satisfaction_rate) AS score_or_rate
FROM survey_unit_scores x
WHERE x.campaign_id = cid AND x.survey_year <= max_year
  AND (len(unit_list) = 0 OR list_contains(unit_list, x.unit_id))
  AND NOT EXISTS (SELECT 1 FROM survey_responses y WHERE y.campaign_id = x.campaign_id
                  AND y.survey_year = x.survey_year AND y.unit_id = x.unit_id);
