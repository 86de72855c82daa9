-- 到期预警（台账问题）：截至统计日仍未完成（is_open：未整改、整改中）且整改时限为具体日期的问题，
-- 已逾期（is_overdue）与未到期的都在内，每个问题一行。剩余 / 逾期工作日与“N 个工作日内到期”由
-- analytics/page_data/supervision.py 用 etl.normalize.workdays 计算（含调休，SQL 里没有节假日表）；
-- days_left 为日历天数（整改时限 − 统计日，逾期为负）。立行立改、长期推进没有日期，不在内。
WITH open_problems AS (
    SELECT *
    FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
    WHERE is_open AND deadline IS NOT NULL
), final AS (
    SELECT
        open_problems.problem_id,
        open_problems.unit_id,
        coalesce(units.name, open_problems.unit_id) AS unit_name,
        coalesce(units.sort_order, 999) AS sort_order,
        open_problems.serial_no,
        open_problems.category,
        open_problems.manifestation,
        open_problems.case_text,
        open_problems.responsible,
        open_problems.deadline,
        open_problems.status,
        open_problems.is_overdue,
        open_problems.deadline - CAST($as_of AS DATE) AS days_left,
        open_problems.as_of_date AS last_reported
    FROM open_problems
    LEFT JOIN units ON units.campaign_id = open_problems.campaign_id AND units.unit_id = open_problems.unit_id
)
SELECT * FROM final
ORDER BY deadline, sort_order, problem_id
