-- 各单位整改率趋势：每个快照日期 × 单位（截至该日口径）
WITH problems_by_date AS (   -- 每个快照日期 × 问题的最新一期；页面只传要画的单位（≤ 10 个）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    problems_by_date.snap_date,
    problems_by_date.unit_id,
    units.name AS unit_name,
    count(*) AS problems,
    count(*) FILTER (WHERE problems_by_date.is_done) AS done,
    count(*) FILTER (WHERE problems_by_date.is_closed) AS closed,
    count(*) FILTER (WHERE problems_by_date.is_overdue) AS overdue,
    count(*) FILTER (WHERE problems_by_date.is_done) / count(*) AS completion
FROM problems_by_date
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = problems_by_date.unit_id
GROUP BY ALL
ORDER BY problems_by_date.snap_date, min(units.sort_order)
