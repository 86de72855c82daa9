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
), lead_counts_by_unit AS (  -- 不按问题方面、来源筛选时读预计算的各单位计数（lead_unit_periods，etl/sql/precompute.sql）
    SELECT received, assigned, concluded, on_time, on_time_due, fed_back, found, with_finding, overdue_open
    FROM lead_unit_periods
    WHERE len($categories) = 0 AND len($channels) = 0
      AND campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE) AND valid_to > CAST($as_of AS DATE)
      AND (len($units) = 0 OR list_contains($units, unit_id))
    UNION ALL           -- 否则逐件计算；两者结果相同（tests/test_precomputed.py）
    SELECT
        count(*),
        count(*) FILTER (WHERE is_assigned),
        count(*) FILTER (WHERE is_concluded),
        count(*) FILTER (WHERE is_on_time),
        count(*) FILTER (WHERE is_on_time_due),
        count(*) FILTER (WHERE is_fed_back),
        count(*) FILTER (WHERE is_found),
        count(*) FILTER (WHERE has_finding),
        count(*) FILTER (WHERE is_overdue_open)
    FROM leads
    WHERE len($categories) > 0 OR len($channels) > 0
       OR NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)   -- 未经建库的库（测试夹具）：预计算表为空，逐件计算
), lead_counts AS (
    SELECT
        CAST(coalesce(sum(received), 0) AS BIGINT) AS leads_received,
        CAST(coalesce(sum(assigned), 0) AS BIGINT) AS leads_assigned,
        CAST(coalesce(sum(concluded), 0) AS BIGINT) AS leads_concluded,
        CAST(coalesce(sum(on_time), 0) AS BIGINT) AS leads_ontime,
        CAST(coalesce(sum(on_time_due), 0) AS BIGINT) AS leads_ontime_den,
        CAST(coalesce(sum(fed_back), 0) AS BIGINT) AS leads_feedback,
        CAST(coalesce(sum(found), 0) AS BIGINT) AS leads_found,
        CAST(coalesce(sum(with_finding), 0) AS BIGINT) AS leads_with_finding,
        CAST(coalesce(sum(overdue_open), 0) AS BIGINT) AS leads_open_overdue
    FROM lead_counts_by_unit
)
SELECT problem_counts.*, lead_counts.*
FROM problem_counts, lead_counts
