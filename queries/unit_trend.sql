-- 各单位整改率趋势：每个快照日期 × 单位（截至该日口径）
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
    WHERE (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
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
