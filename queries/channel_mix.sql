-- 来源渠道构成：台账问题的“问题来源”与问题线索的“线索来源”（截至统计日）
WITH problem_channels AS (
    SELECT coalesce(source_channel, '（未注明）') AS channel
    FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), lead_channels AS (
    SELECT coalesce(channel, '（未注明）') AS channel
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), final AS (
    SELECT '台账问题' AS source, channel, count(*) AS n FROM problem_channels GROUP BY ALL
    UNION ALL
    SELECT '问题线索' AS source, channel, count(*) AS n FROM lead_channels GROUP BY ALL
)
SELECT * FROM final
ORDER BY source DESC, n DESC, channel
