-- 各单位超期未办结线索：截至统计日未办结、办理期限已过的线索件数，最早的办理期限（页面据此算最长超期工作日），
-- 是否有按周一至周五推算的期限。口径与 leads_overdue_open.sql、leads_summary.sql 的 open_overdue 相同。
SELECT
    l.unit_id,
    coalesce(u.name, l.unit_id) AS unit_name,
    coalesce(u.sort_order, 999) AS sort_order,
    count(*) AS leads,
    min(l.due_date) AS oldest_due,
    coalesce(bool_or(l.due_date_provisional), false) AS any_provisional
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) l
LEFT JOIN units u ON u.campaign_id = l.campaign_id AND u.unit_id = l.unit_id
WHERE l.is_overdue_open
GROUP BY ALL
ORDER BY leads DESC, oldest_due, sort_order, l.unit_id
