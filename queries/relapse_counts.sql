-- 反弹问题：单位 × 问题方面 的反弹问题数（截至统计日）
SELECT
    problems.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    coalesce(problems.category, '未分类') AS category,  -- 问题方面为空的问题不丢出图
    count(*) AS relapses,
    count(*) FILTER (WHERE problems.is_done) AS relapses_done
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) AS problems
LEFT JOIN units ON units.campaign_id = problems.campaign_id AND units.unit_id = problems.unit_id
WHERE problems.is_relapse
GROUP BY ALL
ORDER BY sort_order, category
