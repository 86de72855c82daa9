-- 反弹问题随时间：每个快照日期的累计反弹问题数（截至该日口径）和当期新发现数
WITH s AS (          -- 每行快照有效到该问题下一期快照的日期（不含）；同日的较早报送被覆盖
    SELECT *,
        coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
                 DATE '9999-12-31') AS valid_until
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
), d AS (
    SELECT DISTINCT as_of_date AS snap_date FROM s
), snap AS (        -- 每个快照日期 × 问题：该日及以前最新一期（区间连接，等价于按日期取 row_number = 1）
    SELECT d.snap_date, s.* EXCLUDE (valid_until)
    FROM s
    JOIN d ON d.snap_date >= s.as_of_date AND d.snap_date < s.valid_until
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
