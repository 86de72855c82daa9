-- 反弹问题：单位 × 问题方面 的反弹问题数（截至统计日）
SELECT
    a.unit_id,
    u.name AS unit_name,
    coalesce(u.sort_order, 999) AS sort_order,
    coalesce(a.category, '未分类') AS category,  -- 问题方面为空的问题不丢出图
    count(*) AS relapses,
    count(*) FILTER (WHERE a.status IN ('已整改', '已销号')) AS relapses_done
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) a
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE a.is_relapse
GROUP BY ALL
ORDER BY sort_order, category
