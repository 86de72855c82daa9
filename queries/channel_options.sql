-- 出现过的问题来源 / 线索来源渠道（侧栏“来源渠道”选项）
WITH channels_seen AS (
    SELECT source_channel AS channel FROM ledger_snapshots WHERE campaign_id = $campaign_id
    UNION ALL
    SELECT channel FROM leads WHERE campaign_id = $campaign_id
)
SELECT channel, count(*) AS n
FROM channels_seen
WHERE channel IS NOT NULL
GROUP BY channel
ORDER BY n DESC, channel
