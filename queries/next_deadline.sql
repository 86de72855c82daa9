-- 统计日当天或之后最近的节点（阶段截止或台账报送）及当前所处阶段
WITH deadlines AS (
    SELECT name || '截止' AS what, deadline AS due FROM stages
    WHERE campaign_id = $campaign_id AND deadline IS NOT NULL
    UNION ALL
    SELECT '台账报送' AS what, due_date AS due FROM report_due_dates
    WHERE campaign_id = $campaign_id
), next_deadline AS (
    SELECT string_agg(what, '、' ORDER BY what) AS next_what, due AS next_due
    FROM deadlines
    WHERE due >= CAST($as_of AS DATE)
    GROUP BY due
    ORDER BY due
    LIMIT 1
), current_stage AS (
    SELECT name AS current_stage, deadline AS current_stage_deadline
    FROM stages
    WHERE campaign_id = $campaign_id AND start_date <= CAST($as_of AS DATE)
    ORDER BY start_date DESC
    LIMIT 1
)
SELECT
    CAST($as_of AS DATE) AS as_of,
    (SELECT current_stage FROM current_stage) AS current_stage,
    (SELECT current_stage_deadline FROM current_stage) AS current_stage_deadline,
    (SELECT next_what FROM next_deadline) AS next_what,
    (SELECT next_due FROM next_deadline) AS next_due,
    (SELECT next_due FROM next_deadline) - CAST($as_of AS DATE) AS days_to_next
