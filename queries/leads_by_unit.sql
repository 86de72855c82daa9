-- 各单位线索办理：截至统计日受理、办结、按时办结（工作日规则）、反馈、超期未办结、属实情况
WITH l AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    l.unit_id,
    coalesce(u.name, l.unit_id) AS unit_name,
    coalesce(u.sort_order, 999) AS sort_order,
    count(*) AS received,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_concluded AND coalesce(concluded_date <= due_date, on_time, false)) AS ontime,
    count(*) FILTER (WHERE is_concluded OR due_date < CAST($as_of AS DATE)) AS ontime_den,
    count(*) FILTER (WHERE is_concluded AND feedback_date <= CAST($as_of AS DATE)) AS fed_back,
    count(*) FILTER (WHERE NOT is_concluded AND due_date < CAST($as_of AS DATE)) AS open_overdue,
    count(*) FILTER (WHERE is_concluded AND finding IN ('属实', '部分属实')) AS found,
    count(*) FILTER (WHERE is_concluded AND finding IS NOT NULL) AS with_finding
FROM l
LEFT JOIN units u ON u.campaign_id = l.campaign_id AND u.unit_id = l.unit_id
GROUP BY ALL
ORDER BY sort_order, l.unit_id
