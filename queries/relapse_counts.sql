-- 反弹问题：单位 × 问题方面 的反弹问题数（截至统计日）
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT
    a.unit_id,
    u.name AS unit_name,
    coalesce(u.sort_order, 999) AS sort_order,
    a.category,
    count(*) AS relapses,
    count(*) FILTER (WHERE a.status IN ('已整改', '已销号')) AS relapses_done
FROM snap a
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE a.is_relapse
  AND (len($units) = 0 OR a.unit_id IN (SELECT unnest($units)))
  AND (len($categories) = 0 OR a.category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR a.source_channel IN (SELECT unnest($channels)))
GROUP BY ALL
ORDER BY sort_order, a.category
