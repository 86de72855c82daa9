-- 各单位超期未办结线索：截至统计日未办结、办理期限已过的线索件数，最早的办理期限（页面据此算最长超期工作日），
-- 是否有按周一至周五推算的期限。口径（is_overdue_open，见 etl/sql/views.sql）与 leads_overdue_open.sql、
-- leads_summary.sql 的 open_overdue 相同。
-- 读预计算的曾经超期未办结的线索及其超期的一段（lead_overdue_spans，etl/sql/precompute.sql）；未经建库的库（测试
-- 夹具）里预计算表是空的，此时逐件计算（NOT EXISTS 只查一次）。两者结果相同（tests/test_precomputed.py）。
WITH overdue_leads AS (
    SELECT campaign_id, unit_id, due_date, due_date_provisional
    FROM lead_overdue_spans
    WHERE campaign_id = $campaign_id AND overdue_from <= CAST($as_of AS DATE) AND overdue_to > CAST($as_of AS DATE)
      AND sidebar_match(unit_id, category, channel, $units, $categories, $channels)
    UNION ALL
    SELECT campaign_id, unit_id, due_date, due_date_provisional
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE is_overdue_open AND NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)
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
