-- 各单位超期未办结线索：截至统计日未办结、办理期限已过的线索件数，最早的办理期限（页面据此算最长超期工作日），
-- 是否有按周一至周五推算的期限。口径（is_overdue_open，见 etl/sql/views.sql）与 leads_overdue_open.sql、
-- leads_summary.sql 的 open_overdue 相同。
WITH overdue_leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) WHERE is_overdue_open
)
SELECT
    overdue_leads.unit_id,
    coalesce(units.name, overdue_leads.unit_id) AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    count(*) AS leads,
    min(overdue_leads.due_date) AS oldest_due,
    coalesce(bool_or(overdue_leads.due_date_provisional), false) AS any_provisional
FROM overdue_leads
LEFT JOIN units ON units.campaign_id = overdue_leads.campaign_id AND units.unit_id = overdue_leads.unit_id
GROUP BY ALL
ORDER BY leads DESC, oldest_due, sort_order, overdue_leads.unit_id
