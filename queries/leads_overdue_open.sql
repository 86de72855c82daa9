-- 超期未办结线索：截至统计日未办结、办理期限（交办后第 N 个工作日）已过的线索（只含脱敏字段）
-- 超期工作日数由页面用 etl.normalize.workdays.working_days_between(due_date, 统计日) 计算（含调休）。
-- 按办理期限由早到晚（即超期由长到短）、线索编号排列；$limit 为 NULL 时返回全部（下载完整清单），
-- 页面表格只取最前面的若干件。各单位件数见 leads_overdue_by_unit.sql。
-- 读预计算的曾经超期未办结的线索（lead_overdue_spans，etl/sql/precompute.sql）中统计日在其超期一段内的；未经建库的
-- 库（测试夹具）里它是空的，此时逐件计算（NOT EXISTS 只查一次）。两者结果相同（tests/test_precomputed.py）。
WITH overdue_leads AS (
    SELECT campaign_id, unit_id, lead_id, channel, category, summary, received_date, assigned_date, due_date,
           due_date_provisional, complainant_masked, phone_masked
    FROM lead_overdue_spans
    WHERE campaign_id = $campaign_id AND overdue_from <= CAST($as_of AS DATE) AND overdue_to > CAST($as_of AS DATE)
      AND sidebar_match(unit_id, category, channel, $units, $categories, $channels)
    UNION ALL
    SELECT campaign_id, unit_id, lead_id, channel, category, summary, received_date, assigned_date, due_date,
           due_date_provisional, complainant_masked, phone_masked
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE is_overdue_open AND NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)
)
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
FROM overdue_leads AS leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
ORDER BY leads.due_date, leads.lead_id
LIMIT $limit
