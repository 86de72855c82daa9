-- 超期未办结线索：截至统计日未办结、办理期限（交办后第 N 个工作日）已过的线索（只含脱敏字段）
-- 超期工作日数由页面用 etl.normalize.workdays.working_days_between(due_date, 统计日) 计算（含调休）。
-- 按办理期限由早到晚（即超期由长到短）、线索编号排列；$limit 为 NULL 时返回全部（下载完整清单），
-- 页面表格只取最前面的若干件。各单位件数见 leads_overdue_by_unit.sql。
SELECT
    l.lead_id,
    coalesce(u.name, l.unit_id) AS unit_name,
    l.channel,
    l.category,
    l.summary,
    l.received_date,
    l.assigned_date,
    l.due_date,
    l.due_date_provisional,
    l.complainant_masked,
    l.phone_masked
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) l
LEFT JOIN units u ON u.campaign_id = l.campaign_id AND u.unit_id = l.unit_id
WHERE l.is_overdue_open
ORDER BY l.due_date, l.lead_id
LIMIT $limit
