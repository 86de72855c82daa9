-- 线索办理概况：截至统计日的办理漏斗（受理 → 交办 → 办结 → 已反馈）、按时办结、超期未办结、属实率、重复投诉人
-- 口径与 kpi_overview.sql / unit_progress.sql 一致（见 dashboard/metrics.py）
WITH l AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), k AS (               -- 重复投诉人：同一加盐摘要（complainant_key）有 2 件及以上线索
    SELECT complainant_key, count(*) AS n
    FROM l
    WHERE complainant_key IS NOT NULL
    GROUP BY complainant_key
)
SELECT
    count(*) AS received,
    count(*) FILTER (WHERE assigned_date <= CAST($as_of AS DATE)) AS assigned,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_concluded AND feedback_date <= CAST($as_of AS DATE)) AS fed_back,
    count(*) FILTER (WHERE is_concluded AND coalesce(concluded_date <= due_date, on_time, false)) AS ontime,
    count(*) FILTER (WHERE is_concluded OR due_date < CAST($as_of AS DATE)) AS ontime_den,
    count(*) FILTER (WHERE NOT is_concluded AND due_date < CAST($as_of AS DATE)) AS open_overdue,
    count(*) FILTER (WHERE NOT is_concluded) AS open_leads,
    count(*) FILTER (WHERE is_concluded AND finding IN ('属实', '部分属实')) AS found,
    count(*) FILTER (WHERE is_concluded AND finding IS NOT NULL) AS with_finding,
    count(*) FILTER (WHERE complainant_key IS NOT NULL) AS keyed_leads,
    (SELECT count(*) FROM k WHERE n >= 2) AS repeat_complainants,
    (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM k WHERE n >= 2) AS repeat_leads
FROM l
