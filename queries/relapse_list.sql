-- 反弹问题清单：每条反弹问题与它重复的前期问题（relapse_of）并列；前期问题取统计日前最新一期
WITH latest AS (        -- 截至统计日每个问题的最新一期（不筛选：前期问题可能在筛选之外）；宏见 etl/sql/views.sql
    SELECT * FROM problems_as_of($campaign_id, $as_of)
), relapses AS (
    SELECT *
    FROM latest
    WHERE is_relapse AND sidebar_match(unit_id, category, source_channel, $units, $categories, $channels)
), first_seen AS (
    SELECT problem_id, min(as_of_date) AS first_reported
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id
    GROUP BY problem_id
), done_at AS (         -- 前期问题首次被报为已整改/已销号的日期
    SELECT problem_id, min(as_of_date) AS first_done_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND status_is_done(status)
    GROUP BY problem_id
)
SELECT
    relapses.problem_id,
    relapses.serial_no,
    relapse_unit.name AS unit_name,
    relapses.category,
    relapses.manifestation,
    relapses.case_text,
    relapses.source_channel,
    relapses.relapse_basis,
    relapses.status,
    first_seen.first_reported,
    relapses.relapse_of,
    earlier.serial_no AS earlier_serial_no,
    earlier_unit.name AS earlier_unit_name,
    earlier.unit_id IS NOT NULL AS earlier_found,
    earlier.category AS earlier_category,
    earlier.manifestation AS earlier_manifestation,
    earlier.case_text AS earlier_case_text,
    earlier.status AS earlier_status,
    coalesce(earlier.completed_date, done_at.first_done_date) AS earlier_done_date
FROM relapses
LEFT JOIN units AS relapse_unit
       ON relapse_unit.campaign_id = relapses.campaign_id AND relapse_unit.unit_id = relapses.unit_id
LEFT JOIN first_seen ON first_seen.problem_id = relapses.problem_id
LEFT JOIN latest AS earlier ON earlier.problem_id = relapses.relapse_of
LEFT JOIN units AS earlier_unit ON earlier_unit.campaign_id = earlier.campaign_id AND earlier_unit.unit_id = earlier.unit_id
LEFT JOIN done_at ON done_at.problem_id = relapses.relapse_of
ORDER BY relapse_unit.sort_order, first_seen.first_reported DESC, relapses.problem_id
