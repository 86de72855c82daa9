-- 简报：截至统计日的逾期问题清单（整改时限为具体日期、早于统计日、仍未整改或整改中），口径同 kpi_overview
SELECT
    a.problem_id, a.unit_id, u.name AS unit_name, coalesce(u.sort_order, 999) AS sort_order,
    a.serial_no, a.category, a.manifestation_code, a.manifestation, a.case_text, a.measure,
    a.responsible, a.deadline, a.status,
    CAST($as_of AS DATE) - a.deadline AS days_overdue,
    a.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) a
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE a.deadline_kind = 'date' AND a.deadline < CAST($as_of AS DATE)
  AND a.status IN ('未整改', '整改中')
ORDER BY sort_order, a.deadline, a.problem_id
