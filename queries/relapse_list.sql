-- 反弹问题清单：每条反弹问题与它重复的前期问题（relapse_of）并列；前期问题取统计日前最新一期
WITH snap AS (          -- 截至统计日每个问题的最新一期（不筛选：前期问题可能在筛选之外）；宏见 etl/sql/views.sql
    SELECT * FROM problems_as_of($campaign_id, $as_of)
), r AS (
    SELECT *
    FROM snap
    WHERE is_relapse AND sidebar_match(unit_id, category, source_channel, $units, $categories, $channels)
), first_seen AS (
    SELECT problem_id, min(as_of_date) AS first_reported
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id
    GROUP BY problem_id
), done_at AS (         -- 前期问题首次被报为已整改/已销号的日期
    SELECT problem_id, min(as_of_date) AS first_done_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND status IN ('已整改', '已销号')
    GROUP BY problem_id
)
SELECT
    r.problem_id,
    r.serial_no,
    u.name AS unit_name,
    r.category,
    r.manifestation,
    r.case_text,
    r.source_channel,
    r.relapse_basis,
    r.status,
    f.first_reported,
    r.relapse_of,
    e.serial_no AS earlier_serial_no,
    eu.name AS earlier_unit_name,
    e.unit_id IS NOT NULL AS earlier_found,
    e.category AS earlier_category,
    e.manifestation AS earlier_manifestation,
    e.case_text AS earlier_case_text,
    e.status AS earlier_status,
    coalesce(e.completed_date, dn.first_done_date) AS earlier_done_date
FROM r
LEFT JOIN units u ON u.campaign_id = r.campaign_id AND u.unit_id = r.unit_id
LEFT JOIN first_seen f ON f.problem_id = r.problem_id
LEFT JOIN snap e ON e.problem_id = r.relapse_of
LEFT JOIN units eu ON eu.campaign_id = e.campaign_id AND eu.unit_id = e.unit_id
LEFT JOIN done_at dn ON dn.problem_id = r.relapse_of
ORDER BY u.sort_order, f.first_reported DESC, r.problem_id
