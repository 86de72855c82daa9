-- 某单位截至统计日受理的线索（只含脱敏字段）；办结日期、反馈日期、核查结论只显示统计日及以前的（口径标志见 etl/sql/views.sql）
SELECT
    lead_id, channel, category, summary, received_date, assigned_date, due_date,
    CASE WHEN is_concluded THEN concluded_date END AS concluded_date,
    CASE WHEN feedback_date <= CAST($as_of AS DATE) THEN feedback_date END AS feedback_date,
    CASE WHEN is_concluded THEN finding END AS finding,
    CASE
        WHEN is_on_time THEN '按时办结'
        WHEN is_concluded THEN '超期办结'
        WHEN is_overdue_open THEN '超期未办结'
        ELSE '办理中'
    END AS lead_status,
    complainant_masked, phone_masked
FROM leads_as_of($campaign_id, $as_of, [$unit_id], $categories, $channels)
ORDER BY received_date DESC, lead_id
