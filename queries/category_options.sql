-- 问题方面（类别）列表，按配置顺序（侧栏“问题方面”选项）
SELECT category, min(category_no) AS category_no, count(*) AS manifestations
FROM categories
WHERE campaign_id = $campaign_id
GROUP BY category
ORDER BY category_no
