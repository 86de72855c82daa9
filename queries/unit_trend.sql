-- 各单位整改率趋势：每个快照日期 × 单位（截至该日口径）
WITH p AS (          -- 每个快照日期 × 问题的最新一期；页面只传要画的单位（≤ 10 个）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    p.snap_date,
    p.unit_id,
    u.name AS unit_name,
    count(*) AS problems,
    count(*) FILTER (WHERE status IN ('已整改', '已销号')) AS done,
    count(*) FILTER (WHERE status = '已销号') AS closed,
    count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < p.snap_date
                       AND status IN ('未整改', '整改中')) AS overdue,
    count(*) FILTER (WHERE status IN ('已整改', '已销号')) / count(*) AS completion
FROM p
LEFT JOIN units u ON u.campaign_id = $campaign_id AND u.unit_id = p.unit_id
GROUP BY ALL
ORDER BY p.snap_date, min(u.sort_order)
