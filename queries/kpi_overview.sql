-- 总览关键指标：截至统计日 $as_of 的问题与线索计数（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
WITH problems AS (      -- 每个问题取统计日前最新一期快照，按侧栏筛选
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), problem_counts AS (
    SELECT
        count(*) AS problems,
        count(*) FILTER (WHERE is_rectified) AS rectified,
        count(*) FILTER (WHERE is_closed) AS closed,
        count(*) FILTER (WHERE is_done) AS done,
        count(*) FILTER (WHERE is_open) AS open_problems,
        count(*) FILTER (WHERE is_long_term) AS long_term,
        count(*) FILTER (WHERE is_overdue) AS overdue,
        count(*) FILTER (WHERE is_relapse) AS relapse,
        count(DISTINCT unit_id) AS units_with_problems
    FROM problems
), lead_counts AS (
    SELECT
        count(*) AS leads_received,
        count(*) FILTER (WHERE is_assigned) AS leads_assigned,
        count(*) FILTER (WHERE is_concluded) AS leads_concluded,
        count(*) FILTER (WHERE is_on_time) AS leads_ontime,
        count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
        count(*) FILTER (WHERE is_fed_back) AS leads_feedback,
        count(*) FILTER (WHERE is_found) AS leads_found,
        count(*) FILTER (WHERE has_finding) AS leads_with_finding,
        count(*) FILTER (WHERE is_overdue_open) AS leads_open_overdue
    FROM leads
)
SELECT problem_counts.*, lead_counts.*
FROM problem_counts, lead_counts
