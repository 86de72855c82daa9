-- 各单位线索办理：截至统计日受理、办结、按时办结（工作日规则）、反馈、超期未办结、属实情况（口径标志见 etl/sql/views.sql）
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    leads.unit_id,
    coalesce(units.name, leads.unit_id) AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    count(*) AS received,
    count(*) FILTER (WHERE leads.is_concluded) AS concluded,
    count(*) FILTER (WHERE leads.is_on_time) AS leads_ontime,
    count(*) FILTER (WHERE leads.is_on_time_due) AS leads_ontime_den,
    count(*) FILTER (WHERE leads.is_fed_back) AS fed_back,
    count(*) FILTER (WHERE leads.is_overdue_open) AS open_overdue,
    count(*) FILTER (WHERE leads.is_found) AS found,
    count(*) FILTER (WHERE leads.has_finding) AS with_finding
FROM leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
GROUP BY ALL
ORDER BY sort_order, leads.unit_id
