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
