-- 简报“上期督办事项跟踪”：指定问题截至统计日的最新一期状态
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
      AND problem_id IN (SELECT unnest($problem_ids))
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT
    problem_id, status, deadline, deadline_kind, completed_date, as_of_date AS last_reported,
    deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
        AND status IN ('未整改', '整改中') AS is_overdue
FROM snap
ORDER BY problem_id
