-- 线索办理概况：截至统计日的办理漏斗（受理 → 交办 → 办结 → 已反馈）、按时办结、超期未办结、属实率、重复投诉人
-- 口径与 kpi_overview.sql / unit_progress.sql 一致（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
WITH leads AS NOT MATERIALIZED (   -- 下面用两次：不物化（百万行全列），每次只扫要用的列
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), complainants AS (    -- 重复投诉人：同一加盐摘要（complainant_key）有 2 件及以上线索；只数候选摘要
    SELECT complainant_key, count(*) AS n         -- （全部线索中有 2 件及以上的，宏见 etl/sql/views.sql）
    FROM leads
    SEMI JOIN repeat_complainant_candidates($campaign_id) AS candidate
           ON candidate.campaign_id = leads.campaign_id AND candidate.unit_id IS NOT DISTINCT FROM leads.unit_id
          AND candidate.complainant_key = leads.complainant_key
    GROUP BY complainant_key
)
SELECT
    count(*) AS received,
    count(*) FILTER (WHERE is_assigned) AS assigned,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_fed_back) AS fed_back,
    count(*) FILTER (WHERE is_on_time) AS leads_ontime,
    count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
    count(*) FILTER (WHERE is_overdue_open) AS open_overdue,
    count(*) FILTER (WHERE NOT is_concluded) AS open_leads,
    count(*) FILTER (WHERE is_found) AS found,
    count(*) FILTER (WHERE has_finding) AS with_finding,
    count(*) FILTER (WHERE complainant_key IS NOT NULL) AS keyed_leads,
    (SELECT count(*) FROM complainants WHERE n >= 2) AS repeat_complainants,
    (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM complainants WHERE n >= 2) AS repeat_leads
FROM leads
