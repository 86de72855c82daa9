-- 总览关键指标：截至统计日 $as_of 的问题与线索计数（口径见 dashboard/metrics.py）
WITH p AS (             -- 每个问题取统计日前最新一期快照，按侧栏筛选（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), l AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), pk AS (
    SELECT
        count(*) AS problems,
        count(*) FILTER (WHERE status = '已整改') AS rectified,
        count(*) FILTER (WHERE status = '已销号') AS closed,
        count(*) FILTER (WHERE status IN ('已整改', '已销号')) AS done,
        count(*) FILTER (WHERE status IN ('未整改', '整改中')) AS open_problems,
        count(*) FILTER (WHERE status = '长期推进') AS long_term,
        count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
                           AND status IN ('未整改', '整改中')) AS overdue,
        count(*) FILTER (WHERE is_relapse) AS relapse,
        count(DISTINCT unit_id) AS units_with_problems
    FROM p
), lc AS (
    SELECT *,
        concluded_date IS NOT NULL AND concluded_date <= CAST($as_of AS DATE) AS is_concluded
    FROM l
), lk AS (
    SELECT
        count(*) AS leads_received,
        count(*) FILTER (WHERE assigned_date <= CAST($as_of AS DATE)) AS leads_assigned,
        count(*) FILTER (WHERE is_concluded) AS leads_concluded,
        count(*) FILTER (WHERE is_concluded AND coalesce(concluded_date <= due_date, on_time, false)) AS leads_ontime,
        count(*) FILTER (WHERE is_concluded OR due_date < CAST($as_of AS DATE)) AS leads_ontime_den,
        count(*) FILTER (WHERE is_concluded AND feedback_date <= CAST($as_of AS DATE)) AS leads_feedback,
        count(*) FILTER (WHERE is_concluded AND finding IN ('属实', '部分属实')) AS leads_found,
        count(*) FILTER (WHERE is_concluded AND finding IS NOT NULL) AS leads_with_finding,
        count(*) FILTER (WHERE NOT is_concluded AND due_date < CAST($as_of AS DATE)) AS leads_open_overdue
    FROM lc
)
SELECT pk.*, lk.*
FROM pk, lk
