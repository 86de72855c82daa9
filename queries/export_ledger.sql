-- 导出合并台账：截至统计日每个问题的最新一期记录（全部台账字段），按单位、问题方面、编号排序
WITH category_order AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    problems.problem_id, problems.unit_id, units.name AS unit_name, coalesce(units.sort_order, 999) AS sort_order,
    problems.serial_no, problems.category, coalesce(category_order.category_no, 99) AS category_no,
    problems.manifestation_code, problems.manifestation, problems.case_text, problems.source_channel,
    problems.measure, problems.deadline, problems.deadline_kind, problems.responsible, problems.status,
    problems.progress_text, problems.completed_date, problems.is_relapse, problems.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) AS problems
LEFT JOIN category_order USING (category)
LEFT JOIN units ON units.campaign_id = problems.campaign_id AND units.unit_id = problems.unit_id
ORDER BY sort_order, problems.unit_id, category_no, problems.manifestation_code NULLS LAST,
         try_cast(problems.serial_no AS INTEGER) NULLS LAST, problems.serial_no, problems.problem_id
