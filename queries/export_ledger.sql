-- 导出合并台账：截至统计日每个问题的最新一期记录（全部台账字段），按单位、问题方面、编号排序
WITH cat AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    a.problem_id, a.unit_id, u.name AS unit_name, coalesce(u.sort_order, 999) AS sort_order,
    a.serial_no, a.category, coalesce(cat.category_no, 99) AS category_no,
    a.manifestation_code, a.manifestation, a.case_text, a.source_channel, a.measure,
    a.deadline, a.deadline_kind, a.responsible, a.status, a.progress_text, a.completed_date,
    a.is_relapse, a.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) a
LEFT JOIN cat USING (category)
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
ORDER BY sort_order, a.unit_id, category_no, a.manifestation_code NULLS LAST,
         try_cast(a.serial_no AS INTEGER) NULLS LAST, a.serial_no, a.problem_id
