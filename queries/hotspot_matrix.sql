-- 问题热点：问题方面 × 单位 的问题数（截至统计日）；无法归类的问题（问题方面为空）列为“未分类”，排在最后
WITH problems AS (      -- 截至统计日每个问题的最新一期，按侧栏筛选（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), category_order AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    coalesce(problems.category, '未分类') AS category,
    coalesce(category_order.category_no, 99) AS category_no,
    problems.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    count(*) AS problems,
    count(*) FILTER (WHERE problems.is_done) AS done,
    count(*) FILTER (WHERE problems.is_overdue) AS overdue
FROM problems
LEFT JOIN category_order USING (category)
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = problems.unit_id
GROUP BY ALL
ORDER BY category_no, sort_order
