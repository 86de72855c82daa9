-- 反弹问题随时间：每个快照日期的累计反弹问题数（截至该日口径）和当期新发现数
WITH d AS (
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
), snap AS (
    SELECT d.snap_date, s.*
    FROM d
    JOIN ledger_snapshots s ON s.campaign_id = $campaign_id AND s.as_of_date <= d.snap_date
    QUALIFY row_number() OVER (PARTITION BY d.snap_date, s.problem_id
                               ORDER BY s.as_of_date DESC, s.submission_id DESC) = 1
), p AS (
    SELECT *
    FROM snap
    WHERE is_relapse
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
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
