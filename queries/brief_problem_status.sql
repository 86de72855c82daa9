-- 简报“上期督办事项跟踪”：指定问题截至统计日的最新一期状态（宏见 etl/sql/views.sql）
SELECT
    problem_id, status, deadline, deadline_kind, completed_date, as_of_date AS last_reported, is_overdue
FROM problems_as_of($campaign_id, $as_of)
WHERE list_contains($problem_ids, problem_id)
ORDER BY problem_id
