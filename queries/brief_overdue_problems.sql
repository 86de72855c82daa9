-- 简报：截至统计日的逾期问题清单（整改时限为具体日期、早于统计日、仍未整改或整改中），口径同 kpi_overview
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT
    a.problem_id, a.unit_id, u.name AS unit_name, coalesce(u.sort_order, 999) AS sort_order,
    a.serial_no, a.category, a.manifestation_code, a.manifestation, a.case_text, a.measure,
    a.responsible, a.deadline, a.status,
    CAST($as_of AS DATE) - a.deadline AS days_overdue,
    a.as_of_date AS last_reported
FROM snap a
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE a.deadline_kind = 'date' AND a.deadline < CAST($as_of AS DATE)
  AND a.status IN ('未整改', '整改中')
  AND (len($units) = 0 OR a.unit_id IN (SELECT unnest($units)))
  AND (len($categories) = 0 OR a.category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR a.source_channel IN (SELECT unnest($channels)))
ORDER BY sort_order, a.deadline, a.problem_id
