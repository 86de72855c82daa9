-- 简报：截至统计日超过办理时限（工作日）仍未办结的线索，只含脱敏与非个人字段
SELECT
    l.lead_id, l.unit_id, u.name AS unit_name, coalesce(u.sort_order, 999) AS sort_order,
    l.channel, l.category, l.summary, l.received_date, l.assigned_date, l.due_date,
    l.due_date_provisional,
    CASE WHEN l.feedback_date <= CAST($as_of AS DATE) THEN l.feedback_date END AS feedback_date
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) l
LEFT JOIN units u ON u.campaign_id = l.campaign_id AND u.unit_id = l.unit_id
WHERE l.is_overdue_open
ORDER BY sort_order, l.due_date, l.lead_id
