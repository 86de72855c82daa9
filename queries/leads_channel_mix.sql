-- 线索来源构成：截至统计日各来源渠道受理的线索件数、占比、办结与属实情况（口径标志见 etl/sql/views.sql）
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    coalesce(channel, '（未注明）') AS channel,
    count(*) AS received,
    count(*) / sum(count(*)) OVER () AS share,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_found) AS found,
    count(*) FILTER (WHERE has_finding) AS with_finding,
    count(*) FILTER (WHERE is_overdue_open) AS open_overdue
FROM leads
GROUP BY ALL
ORDER BY received DESC, channel
