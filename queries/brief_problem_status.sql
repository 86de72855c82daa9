-- 简报“上期督办事项跟踪”：指定问题截至统计日的最新一期状态
WITH snap AS (          -- 宏见 etl/sql/views.sql
    SELECT * FROM problems_as_of($campaign_id, $as_of) WHERE list_contains($problem_ids, problem_id)
)
SELECT
    problem_id, status, deadline, deadline_kind, completed_date, as_of_date AS last_reported,
    deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
        AND status IN ('未整改', '整改中') AS is_overdue
FROM snap
ORDER BY problem_id
