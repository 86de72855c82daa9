-- 整改进度趋势：每个快照日期（≤ 统计日）按“截至该日”口径的问题数、整改率、逾期、反弹
WITH p AS (          -- 每个快照日期 × 问题的最新一期（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    snap_date,
    count(*) AS problems,
    count(*) FILTER (WHERE status IN ('已整改', '已销号')) AS done,
    count(*) FILTER (WHERE status = '已销号') AS closed,
    count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < snap_date
                       AND status IN ('未整改', '整改中')) AS overdue,
    count(*) FILTER (WHERE is_relapse) AS relapse,
    count(*) FILTER (WHERE status IN ('已整改', '已销号')) / count(*) AS completion,
    count(*) FILTER (WHERE status = '已销号') / count(*) AS closure
FROM p
GROUP BY snap_date
ORDER BY snap_date
