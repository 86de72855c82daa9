-- 某单位截至统计日的问题清单（每个问题最新一期状态）
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND unit_id = $unit_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT
    serial_no, problem_id, category, manifestation_code, manifestation, case_text,
    source_channel, measure, deadline, deadline_kind, responsible, status, progress_text,
    completed_date, is_relapse, relapse_of,
    (SELECT any_value(e.serial_no) FROM snap e WHERE e.problem_id = snap.relapse_of) AS relapse_of_serial,
    deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
        AND status IN ('未整改', '整改中') AS is_overdue,
    as_of_date AS last_reported
FROM snap
WHERE (len($categories) = 0 OR category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
ORDER BY is_overdue DESC, status, TRY_CAST(serial_no AS INTEGER) NULLS LAST, serial_no, problem_id
