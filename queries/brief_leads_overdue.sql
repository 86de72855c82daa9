-- 简报：截至统计日超过办理时限（工作日）仍未办结的线索，只含脱敏与非个人字段
SELECT
    leads.lead_id, leads.unit_id, units.name AS unit_name, coalesce(units.sort_order, 999) AS sort_order,
    leads.channel, leads.category, leads.summary, leads.received_date, leads.assigned_date, leads.due_date,
    leads.due_date_provisional,
    CASE WHEN leads.feedback_date <= CAST($as_of AS DATE) THEN leads.feedback_date END AS feedback_date
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) AS leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
WHERE leads.is_overdue_open
ORDER BY sort_order, leads.due_date, leads.lead_id
