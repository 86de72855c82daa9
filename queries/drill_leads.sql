-- 下钻：一个数字背后的线索清单（总览指标卡、线索办理漏斗的各环节），只含脱敏字段。
-- 与 kpi_overview.sql / leads_summary.sql 同一口径：leads_as_of 的 is_* 标志（etl/sql/views.sql）。$measure：
--   received 受理 | assigned 交办 | concluded 办结 | fed_back 已反馈 | ontime 按时办结
--   ontime_due 按时办结率的分母（已办结，或未办结但期限已过）| overdue_open 超期未办结
--   late 超期办结（已办结但不算按时，与 unit_leads.sql 的“超期办结”相同）| found 属实 | with_finding 有调查结论；
--   其他取值没有行。$sel_units 单位（空 = 不限），$only_overdue 只看超期未办结，$only_late 只看超期办结。
-- 办结日期、反馈日期、调查结论只显示统计日及以前的（同 unit_leads.sql）。
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), flagged AS (
    SELECT *, is_concluded AND NOT is_on_time AS is_late
    FROM leads
), picked AS (
    SELECT *
    FROM flagged
    WHERE CASE $measure
            WHEN 'received' THEN true
            WHEN 'assigned' THEN is_assigned
            WHEN 'concluded' THEN is_concluded
            WHEN 'fed_back' THEN is_fed_back
            WHEN 'ontime' THEN is_on_time
            WHEN 'ontime_due' THEN is_on_time_due
            WHEN 'overdue_open' THEN is_overdue_open
            WHEN 'late' THEN is_late
            WHEN 'found' THEN is_found
            WHEN 'with_finding' THEN has_finding
            ELSE false
          END
      AND (len($sel_units) = 0 OR list_contains($sel_units, unit_id))
      AND (NOT $only_overdue OR is_overdue_open)
      AND (NOT $only_late OR is_late)
)
SELECT  -- 办理情况与期限、办结日期在前（超期办结、超期未办结一眼看得到）
    coalesce(units.name, picked.unit_id) AS unit_name, picked.lead_id,
    CASE
        WHEN picked.is_on_time THEN '按时办结'
        WHEN picked.is_concluded THEN '超期办结'
        WHEN picked.is_overdue_open THEN '超期未办结'
        ELSE '办理中'
    END AS lead_status,
    picked.due_date,
    CASE WHEN picked.is_concluded THEN picked.concluded_date END AS concluded_date,
    CASE WHEN picked.feedback_date <= CAST($as_of AS DATE) THEN picked.feedback_date END AS feedback_date,
    picked.channel, picked.category, picked.summary, picked.received_date, picked.assigned_date,
    CASE WHEN picked.is_concluded THEN picked.finding END AS finding,
    picked.is_on_time, picked.is_fed_back, picked.complainant_masked, picked.phone_masked, picked.unit_id
FROM picked
LEFT JOIN units ON units.campaign_id = picked.campaign_id AND units.unit_id = picked.unit_id
ORDER BY coalesce(units.sort_order, 999), picked.unit_id, picked.received_date DESC, picked.lead_id
