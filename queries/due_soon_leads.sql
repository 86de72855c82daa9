-- 到期预警（问题线索）：截至统计日已受理、尚未办结且有办理期限的线索，已超期（is_overdue_open）与
-- 未到期的都在内，每件一行（只含非个人字段：不含投诉人、电话）。剩余 / 超期工作日与“N 个工作日内到期”
-- 由 analytics/page_data/supervision.py 用 etl.normalize.workdays 计算（含调休）；
-- days_left 为日历天数（办理期限 − 统计日，超期为负）。
WITH open_leads AS (
    SELECT *
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE NOT is_concluded AND due_date IS NOT NULL
), final AS (
    SELECT
        open_leads.lead_id,
        open_leads.unit_id,
        coalesce(units.name, open_leads.unit_id) AS unit_name,
        coalesce(units.sort_order, 999) AS sort_order,
        open_leads.channel,
        open_leads.category,
        open_leads.summary,
        open_leads.received_date,
        open_leads.assigned_date,
        open_leads.due_date,
        open_leads.due_date_provisional,
        open_leads.is_overdue_open AS is_overdue,
        open_leads.due_date - CAST($as_of AS DATE) AS days_left
    FROM open_leads
    LEFT JOIN units ON units.campaign_id = open_leads.campaign_id AND units.unit_id = open_leads.unit_id
)
SELECT * FROM final
ORDER BY due_date, sort_order, lead_id
