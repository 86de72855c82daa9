-- 问题热点：问题方面 × 单位 的问题数（截至统计日）；无法归类的问题（问题方面为空）列为“未分类”，排在最后
WITH p AS (          -- 截至统计日每个问题的最新一期，按侧栏筛选（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), cat AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    coalesce(p.category, '未分类') AS category,
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
