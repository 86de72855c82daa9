-- 各单位线索办理：截至统计日受理、办结、按时办结（工作日规则）、反馈、超期未办结、属实情况（口径标志见 etl/sql/views.sql）
-- 不按问题方面、来源筛选时读预计算的 lead_unit_periods（每个单位计数随统计日变化的每一段，etl/sql/precompute.sql），
-- 否则逐件计算；两者结果相同（tests/test_precomputed.py）。
-- 预计算的表（etl/sql/precompute.sql）只在建库时写入；没有经过建库的库（测试夹具）里它们是空的，此时
-- lead_unit_periods 没有这个专项整治的行，查询改为逐件计算（NOT EXISTS 只查一次，不会扫线索）。
WITH precomputed AS (
    SELECT campaign_id, unit_id, received, concluded, on_time AS leads_ontime, on_time_due AS leads_ontime_den,
           fed_back, overdue_open AS open_overdue, found, with_finding
    FROM lead_unit_periods
    WHERE len($categories) = 0 AND len($channels) = 0
      AND campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE) AND valid_to > CAST($as_of AS DATE)
      AND (len($units) = 0 OR list_contains($units, unit_id))
), counted AS (
    SELECT
        campaign_id, unit_id,
        count(*) AS received,
        count(*) FILTER (WHERE is_concluded) AS concluded,
        count(*) FILTER (WHERE is_on_time) AS leads_ontime,
        count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
        count(*) FILTER (WHERE is_fed_back) AS fed_back,
        count(*) FILTER (WHERE is_overdue_open) AS open_overdue,
        count(*) FILTER (WHERE is_found) AS found,
        count(*) FILTER (WHERE has_finding) AS with_finding
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE len($categories) > 0 OR len($channels) > 0
       OR NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)
    GROUP BY campaign_id, unit_id
), leads_by_unit AS (
    SELECT * FROM precomputed
    UNION ALL
    SELECT * FROM counted
)
SELECT
    leads_by_unit.unit_id,
    coalesce(units.name, leads_by_unit.unit_id) AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    leads_by_unit.* EXCLUDE (campaign_id, unit_id)
FROM leads_by_unit
LEFT JOIN units ON units.campaign_id = leads_by_unit.campaign_id AND units.unit_id = leads_by_unit.unit_id
ORDER BY sort_order, leads_by_unit.unit_id
