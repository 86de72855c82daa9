-- 反弹问题随时间：每个快照日期的累计反弹问题数（截至该日口径）和当期新发现数
WITH snapshot_dates AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
), relapses_by_date AS (   -- 每个快照日期 × 反弹问题的最新一期（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
    WHERE is_relapse
), first_seen AS (
    SELECT problem_id, min(as_of_date) AS first_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND is_relapse
    GROUP BY problem_id
)
SELECT
    snapshot_dates.snap_date,
    count(relapses_by_date.problem_id) AS relapses,
    count(relapses_by_date.problem_id) FILTER (WHERE first_seen.first_date = snapshot_dates.snap_date) AS new_relapses
FROM snapshot_dates
LEFT JOIN relapses_by_date ON relapses_by_date.snap_date = snapshot_dates.snap_date
LEFT JOIN first_seen ON first_seen.problem_id = relapses_by_date.problem_id
GROUP BY snapshot_dates.snap_date
ORDER BY snapshot_dates.snap_date
