-- 超期未办结线索：截至统计日未办结、办理期限（交办后第 N 个工作日）已过的线索（只含脱敏字段）
-- 超期工作日数由页面用 etl.normalize.workdays.working_days_between(due_date, 统计日) 计算（含调休）。
-- 按办理期限由早到晚（即超期由长到短）、线索编号排列；$limit 为 NULL 时返回全部（下载完整清单），
-- 页面表格只取最前面的若干件。各单位件数见 leads_overdue_by_unit.sql。
SELECT
    leads.lead_id,
    coalesce(units.name, leads.unit_id) AS unit_name,
    leads.channel,
    leads.category,
    leads.summary,
    leads.received_date,
    leads.assigned_date,
    leads.due_date,
    leads.due_date_provisional,
    leads.complainant_masked,
    leads.phone_masked
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) AS leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
WHERE leads.is_overdue_open
ORDER BY leads.due_date, leads.lead_id
LIMIT $limit
