-- 问题热点：问题方面 × 单位 的问题数（截至统计日）
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
), p AS (
    SELECT *
    FROM snap
    WHERE (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
), cat AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    p.category,
    coalesce(cat.category_no, 99) AS category_no,
    p.unit_id,
    u.name AS unit_name,
    coalesce(u.sort_order, 999) AS sort_order,
    count(*) AS problems,
    count(*) FILTER (WHERE status IN ('已整改', '已销号')) AS done,
    count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
                       AND status IN ('未整改', '整改中')) AS overdue
FROM p
LEFT JOIN cat USING (category)
LEFT JOIN units u ON u.campaign_id = $campaign_id AND u.unit_id = p.unit_id
GROUP BY ALL
ORDER BY category_no, sort_order
