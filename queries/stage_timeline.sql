-- 方案阶段与报送节点（时间轴）；长期阶段的结束日取专项整治结束日后 60 天仅用于画图
SELECT
    '工作阶段' AS kind,
    s.stage_no AS seq,
    s.name,
    s.start_date,
    coalesce(s.deadline, c.end_date + 60) AS end_date,
    s.deadline,
    s.long_term
FROM stages s
JOIN campaigns c USING (campaign_id)
WHERE s.campaign_id = $campaign_id
UNION ALL
SELECT
    '台账报送节点' AS kind,
    row_number() OVER (ORDER BY due_date) AS seq,
    '第' || row_number() OVER (ORDER BY due_date) || '次台账报送' AS name,
    due_date AS start_date,
    due_date AS end_date,
    due_date AS deadline,
    false AS long_term
FROM report_due_dates
WHERE campaign_id = $campaign_id
ORDER BY kind DESC, seq
