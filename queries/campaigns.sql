-- 专项整治列表（侧栏“专项整治”选项、口径参数：min_items、grace_days 等）
SELECT *
FROM campaigns
ORDER BY start_date DESC, campaign_id
