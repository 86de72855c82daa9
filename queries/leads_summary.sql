-- 线索办理概况：截至统计日的办理漏斗（受理 → 交办 → 办结 → 已反馈）、按时办结、超期未办结、属实率、重复投诉人
-- 口径与 kpi_overview.sql / unit_progress.sql 一致（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
-- 件数：不按问题方面、来源筛选时把预计算的各单位计数（lead_unit_periods，etl/sql/precompute.sql）加起来，
-- 否则逐件计算；两者结果相同（tests/test_precomputed.py）。
-- 预计算的表（etl/sql/precompute.sql）只在建库时写入；没有经过建库的库（测试夹具）里它们是空的，此时
-- lead_unit_periods 没有这个专项整治的行，查询改为逐件计算（NOT EXISTS 只查一次，不会扫线索）。
WITH candidate_leads AS (   -- 候选摘要（全部线索中有 2 件及以上的）的线索，按 leads_as_of 的口径选行
    SELECT complainant_key
    FROM repeat_complainant_leads
    WHERE campaign_id = $campaign_id AND coalesce(received_date, assigned_date) <= CAST($as_of AS DATE)
      AND sidebar_match(unit_id, category, channel, $units, $categories, $channels)
    UNION ALL
    SELECT leads.complainant_key
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) AS leads
    SEMI JOIN (SELECT * FROM repeat_complainant_candidates($campaign_id)   -- 未经建库时才有行：线索不必扫
               WHERE NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)) AS candidate
           ON candidate.campaign_id = leads.campaign_id AND candidate.unit_id IS NOT DISTINCT FROM leads.unit_id
          AND candidate.complainant_key = leads.complainant_key
), complainants AS (    -- 重复投诉人：同一加盐摘要（complainant_key）有 2 件及以上线索
    SELECT complainant_key, count(*) AS n
    FROM candidate_leads
    GROUP BY complainant_key
), unit_counts AS (
    SELECT received, assigned, concluded, fed_back, on_time, on_time_due, overdue_open, found, with_finding, keyed
    FROM lead_unit_periods
    WHERE len($categories) = 0 AND len($channels) = 0
      AND campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE) AND valid_to > CAST($as_of AS DATE)
      AND (len($units) = 0 OR list_contains($units, unit_id))
    UNION ALL
    SELECT
        count(*),
        count(*) FILTER (WHERE is_assigned),
        count(*) FILTER (WHERE is_concluded),
        count(*) FILTER (WHERE is_fed_back),
        count(*) FILTER (WHERE is_on_time),
        count(*) FILTER (WHERE is_on_time_due),
        count(*) FILTER (WHERE is_overdue_open),
        count(*) FILTER (WHERE is_found),
        count(*) FILTER (WHERE has_finding),
        count(*) FILTER (WHERE complainant_key IS NOT NULL)
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE len($categories) > 0 OR len($channels) > 0
       OR NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)
)
SELECT
    CAST(coalesce(sum(received), 0) AS BIGINT) AS received,
    CAST(coalesce(sum(assigned), 0) AS BIGINT) AS assigned,
    CAST(coalesce(sum(concluded), 0) AS BIGINT) AS concluded,
    CAST(coalesce(sum(fed_back), 0) AS BIGINT) AS fed_back,
    CAST(coalesce(sum(on_time), 0) AS BIGINT) AS leads_ontime,
    CAST(coalesce(sum(on_time_due), 0) AS BIGINT) AS leads_ontime_den,
    CAST(coalesce(sum(overdue_open), 0) AS BIGINT) AS open_overdue,
    CAST(coalesce(sum(received) - sum(concluded), 0) AS BIGINT) AS open_leads,
    CAST(coalesce(sum(found), 0) AS BIGINT) AS found,
    CAST(coalesce(sum(with_finding), 0) AS BIGINT) AS with_finding,
    CAST(coalesce(sum(keyed), 0) AS BIGINT) AS keyed_leads,
    (SELECT count(*) FROM complainants WHERE n >= 2) AS repeat_complainants,
    (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM complainants WHERE n >= 2) AS repeat_leads
FROM unit_counts
