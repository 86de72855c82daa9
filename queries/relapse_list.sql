-- 反弹问题清单：每条反弹问题与它重复的前期问题（relapse_of）并列；前期问题取统计日前最新一期
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
), r AS (
    SELECT *
    FROM snap
    WHERE is_relapse
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
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
