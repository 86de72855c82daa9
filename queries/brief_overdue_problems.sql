-- 简报：截至统计日的逾期问题清单（is_overdue：整改时限为具体日期、早于统计日、仍未整改或整改中），口径同 kpi_overview
SELECT
    problems.problem_id, problems.unit_id, units.name AS unit_name, coalesce(units.sort_order, 999) AS sort_order,
    problems.serial_no, problems.category, problems.manifestation_code, problems.manifestation,
    problems.case_text, problems.measure, problems.responsible, problems.deadline, problems.status,
    CAST($as_of AS DATE) - problems.deadline AS days_overdue,
    problems.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) AS problems
LEFT JOIN units ON units.campaign_id = problems.campaign_id AND units.unit_id = problems.unit_id
WHERE problems.is_overdue
ORDER BY sort_order, problems.deadline, problems.problem_id
