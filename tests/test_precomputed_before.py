"""The query files precomputing rewrote, as they were before (commit a78b631~1): tests/test_precomputed.py runs
these on the reference database (windows over every snapshot, every complainant key counted) and the
rewritten files on the precomputed one, so a rewrite is checked against the old text, not against itself.
No tests here."""

BEFORE = {
    "completion_trend": """\
-- 整改进度趋势：每个快照日期（≤ 统计日）按“截至该日”口径的问题数、整改率、逾期、反弹
WITH problems_by_date AS (   -- 每个快照日期 × 问题的最新一期，口径标志按该日期（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    snap_date,
    count(*) AS problems,
    count(*) FILTER (WHERE is_done) AS done,
    count(*) FILTER (WHERE is_closed) AS closed,
    count(*) FILTER (WHERE is_overdue) AS overdue,
    count(*) FILTER (WHERE is_relapse) AS relapse,
    count(*) FILTER (WHERE is_done) / count(*) AS completion,
    count(*) FILTER (WHERE is_closed) / count(*) AS closure
FROM problems_by_date
GROUP BY snap_date
ORDER BY snap_date
""",
    "snapshot_dates": """\
-- 统计日选项（“期”）：每个台账报送节点截止后（截止日 + 宽限天数）为一期。
-- 最新数据晚于某期截止、又早于下一个报送节点时（迟报的台账、新登记的线索），该期的统计日顺延到最新数据日。
-- 各单位报送日期不一，按期而非按单个报送日比较，“较上期”才有意义。
-- 填报时间晚于今天或晚于专项整治结束一年（多为年份笔误）的报送不参与定期：不会把默认统计日推到将来。
WITH plausible AS (
    SELECT least(current_date, CAST(end_date + INTERVAL 1 YEAR AS DATE)) AS latest_allowed
    FROM campaigns WHERE campaign_id = $campaign_id
),
latest AS (          -- 最新数据日：台账或线索登记表最近一次的填报时间
    SELECT (SELECT min(as_of_date) FROM ledger_snapshots, plausible
             WHERE campaign_id = $campaign_id AND as_of_date <= latest_allowed) AS first_date,
           (SELECT max(as_of_date) FROM submissions, plausible
             WHERE campaign_id = $campaign_id AND kind IN ('ledger', 'leads') AND rows_loaded > 0
               AND as_of_date <= latest_allowed) AS latest_date
),
closes AS (          -- 报送节点窗口（宏见 etl/sql/views.sql）；最后一个节点的 next_due 为 9999-12-31
    SELECT win_end AS close_date, next_due FROM ledger_report_windows($campaign_id)
),
periods AS (
    SELECT CASE WHEN latest.latest_date > closes.close_date AND latest.latest_date < closes.next_due
                THEN latest.latest_date ELSE closes.close_date END AS as_of_date
    FROM closes, latest
    WHERE closes.close_date <= latest.latest_date AND closes.close_date >= latest.first_date
    UNION
    SELECT latest_date FROM latest WHERE latest_date IS NOT NULL
)
SELECT periods.as_of_date,
       count(DISTINCT snapshot.unit_id) AS units_reporting,
       count(DISTINCT snapshot.problem_id) AS problems
FROM periods
LEFT JOIN ledger_snapshots AS snapshot
       ON snapshot.campaign_id = $campaign_id AND snapshot.as_of_date <= periods.as_of_date
GROUP BY periods.as_of_date
ORDER BY periods.as_of_date
""",
    "leads_summary": """\
-- 线索办理概况：截至统计日的办理漏斗（受理 → 交办 → 办结 → 已反馈）、按时办结、超期未办结、属实率、重复投诉人
-- 口径与 kpi_overview.sql / unit_progress.sql 一致（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), complainants AS (    -- 重复投诉人：同一加盐摘要（complainant_key）有 2 件及以上线索
    SELECT complainant_key, count(*) AS n
    FROM leads
    WHERE complainant_key IS NOT NULL
    GROUP BY complainant_key
)
SELECT
    count(*) AS received,
    count(*) FILTER (WHERE is_assigned) AS assigned,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_fed_back) AS fed_back,
    count(*) FILTER (WHERE is_on_time) AS leads_ontime,
    count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
    count(*) FILTER (WHERE is_overdue_open) AS open_overdue,
    count(*) FILTER (WHERE NOT is_concluded) AS open_leads,
    count(*) FILTER (WHERE is_found) AS found,
    count(*) FILTER (WHERE has_finding) AS with_finding,
    count(*) FILTER (WHERE complainant_key IS NOT NULL) AS keyed_leads,
    (SELECT count(*) FROM complainants WHERE n >= 2) AS repeat_complainants,
    (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM complainants WHERE n >= 2) AS repeat_leads
FROM leads
""",
    "leads_repeat_complainants": """\
-- 重复投诉人：截至统计日同一投诉人（按加盐摘要 complainant_key 归并，不可还原）反映 2 件及以上线索。
-- 只输出脱敏的姓名和电话，不输出摘要本身。
-- 先找出 2 件及以上的摘要（绝大多数投诉人只有 1 件），只对这些投诉人的线索排序（SEMI JOIN）；
-- 按件数、最近受理日期、首件线索编号排出名次后取前 $limit 位（NULL = 全部），再对这些人做字符串聚合。
-- 脱敏姓名/电话取该投诉人最近一件线索上的非空值（按受理日期、线索编号取最大），结果确定、可复现。
WITH keyed_leads AS NOT MATERIALIZED (
    SELECT lead_id, unit_id, category, complainant_key, complainant_masked, phone_masked,
           coalesce(received_date, assigned_date) AS recv
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE complainant_key IS NOT NULL
), repeat_keys AS (
    SELECT complainant_key
    FROM keyed_leads
    GROUP BY complainant_key
    HAVING count(*) >= 2
), repeat_leads AS MATERIALIZED (
    SELECT keyed_leads.*
    FROM keyed_leads
    SEMI JOIN repeat_keys ON keyed_leads.complainant_key = repeat_keys.complainant_key
), ranked_keys AS (     -- 名次：件数多、最近受理晚、首件线索编号小的在前（与 lead_ids 的字符串顺序一致）
    SELECT
        complainant_key,
        row_number() OVER (ORDER BY count(*) DESC, max(recv) DESC, arg_min(lead_id, (recv, lead_id))) AS seq
    FROM repeat_leads
    GROUP BY complainant_key
    QUALIFY $limit IS NULL OR seq <= $limit
), complainants AS (
    SELECT
        ranked_keys.seq,
        arg_max(repeat_leads.complainant_masked, (repeat_leads.recv, repeat_leads.lead_id))
            FILTER (WHERE repeat_leads.complainant_masked IS NOT NULL) AS complainant_masked,
        arg_max(repeat_leads.phone_masked, (repeat_leads.recv, repeat_leads.lead_id))
            FILTER (WHERE repeat_leads.phone_masked IS NOT NULL) AS phone_masked,
        count(*) AS leads,
        count(DISTINCT repeat_leads.unit_id) AS units_involved,
        string_agg(DISTINCT coalesce(units.name, repeat_leads.unit_id), '、'
                   ORDER BY coalesce(units.name, repeat_leads.unit_id)) AS unit_names,
        string_agg(DISTINCT repeat_leads.category, '、' ORDER BY repeat_leads.category) AS categories,
        min(repeat_leads.recv) AS first_received,
        max(repeat_leads.recv) AS last_received,
        string_agg(repeat_leads.lead_id, '、' ORDER BY repeat_leads.recv, repeat_leads.lead_id) AS lead_ids
    FROM repeat_leads
    JOIN ranked_keys ON ranked_keys.complainant_key = repeat_leads.complainant_key
    LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = repeat_leads.unit_id
    GROUP BY ranked_keys.seq
)
SELECT seq, complainant_masked, phone_masked, leads, units_involved, unit_names, categories,
       first_received, last_received, lead_ids
FROM complainants
ORDER BY seq
""",
}
