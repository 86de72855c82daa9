-- 某专项整治的单位列表（侧栏“单位”选项）
SELECT unit_id, name, kind, sort_order
FROM units
WHERE campaign_id = $campaign_id
ORDER BY sort_order, unit_id
