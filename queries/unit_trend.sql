-- 各单位整改率趋势：每个快照日期 × 单位（截至该日口径）
WITH s AS (          -- 每行快照有效到该问题下一期快照的日期（不含）；同日的较早报送被覆盖
    SELECT *,
        coalesce(lead(as_of_date) OVER (PARTITION BY problem_id ORDER BY as_of_date, submission_id),
                 DATE '9999-12-31') AS valid_until
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))   -- 页面只传要画的单位（≤ 10 个）
), d AS (             -- 快照日期取全部单位的（与整体趋势图的横轴一致）
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
), snap AS (        -- 每个快照日期 × 问题：该日及以前最新一期（区间连接，等价于按日期取 row_number = 1）
    SELECT d.snap_date, s.* EXCLUDE (valid_until)
    FROM s
    JOIN d ON d.snap_date >= s.as_of_date AND d.snap_date < s.valid_until
), p AS (
    SELECT *
    FROM snap
    WHERE (len($categories) = 0 OR category IN (SELECT unnest($categories)))
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
