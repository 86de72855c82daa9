-- 某单位截至统计日的问题清单（每个问题最新一期状态）
WITH unit_snapshot AS (   -- 宏见 etl/sql/views.sql；unit_id 条件下推到取最新一期之前
    SELECT * FROM problems_as_of($campaign_id, $as_of) WHERE unit_id = $unit_id
)
SELECT
    serial_no, problem_id, category, manifestation_code, manifestation, case_text,
    source_channel, measure, deadline, deadline_kind, responsible, status, progress_text,
    completed_date, is_relapse, relapse_of,
    (SELECT any_value(earlier.serial_no) FROM unit_snapshot AS earlier
      WHERE earlier.problem_id = unit_snapshot.relapse_of) AS relapse_of_serial,
    is_overdue,
    as_of_date AS last_reported
FROM unit_snapshot
WHERE (len($categories) = 0 OR category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
ORDER BY is_overdue DESC, status, TRY_CAST(serial_no AS INTEGER) NULLS LAST, serial_no, problem_id
