-- 某单位截至统计日受理的线索（只含脱敏字段）
SELECT
    lead_id, channel, category, summary, received_date, assigned_date, due_date,
    CASE WHEN concluded_date <= CAST($as_of AS DATE) THEN concluded_date END AS concluded_date,
    CASE WHEN feedback_date <= CAST($as_of AS DATE) THEN feedback_date END AS feedback_date,
    CASE WHEN concluded_date <= CAST($as_of AS DATE) THEN finding END AS finding,
    CASE
        WHEN concluded_date <= CAST($as_of AS DATE) AND coalesce(concluded_date <= due_date, on_time, false) THEN '按时办结'
        WHEN concluded_date <= CAST($as_of AS DATE) THEN '超期办结'
        WHEN due_date < CAST($as_of AS DATE) THEN '超期未办结'
        ELSE '办理中'
    END AS lead_status,
    complainant_masked, phone_masked
FROM leads_as_of($campaign_id, $as_of, [$unit_id], $categories, $channels)
ORDER BY received_date DESC, lead_id
