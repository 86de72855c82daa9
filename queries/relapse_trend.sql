-- 反弹问题随时间：每个快照日期的累计反弹问题数（截至该日口径）和当期新发现数
WITH d AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
), p AS (            -- 每个快照日期 × 反弹问题的最新一期（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
    WHERE is_relapse
), first_seen AS (
    SELECT problem_id, min(as_of_date) AS first_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND is_relapse
    GROUP BY problem_id
)
SELECT
    d.snap_date,
    count(p.problem_id) AS relapses,
    count(p.problem_id) FILTER (WHERE f.first_date = d.snap_date) AS new_relapses
FROM d
LEFT JOIN p ON p.snap_date = d.snap_date
LEFT JOIN first_seen f ON f.problem_id = p.problem_id
GROUP BY d.snap_date
ORDER BY d.snap_date
