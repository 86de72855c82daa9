-- 线索来源构成：截至统计日各来源渠道受理的线索件数、占比、办结与属实情况
WITH l AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    coalesce(channel, '（未注明）') AS channel,
    count(*) AS received,
    count(*) / sum(count(*)) OVER () AS share,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_concluded AND finding IN ('属实', '部分属实')) AS found,
    count(*) FILTER (WHERE is_concluded AND finding IS NOT NULL) AS with_finding,
    count(*) FILTER (WHERE NOT is_concluded AND due_date < CAST($as_of AS DATE)) AS open_overdue
FROM l
GROUP BY ALL
ORDER BY received DESC, channel
