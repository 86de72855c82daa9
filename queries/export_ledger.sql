-- 导出合并台账：截至统计日每个问题的最新一期记录（全部台账字段），按单位、问题方面、编号排序
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
), cat AS (
    SELECT category, min(category_no) AS category_no
    FROM categories WHERE campaign_id = $campaign_id GROUP BY category
)
SELECT
    a.problem_id, a.unit_id, u.name AS unit_name, coalesce(u.sort_order, 999) AS sort_order,
    a.serial_no, a.category, coalesce(cat.category_no, 99) AS category_no,
    a.manifestation_code, a.manifestation, a.case_text, a.source_channel, a.measure,
    a.deadline, a.deadline_kind, a.responsible, a.status, a.progress_text, a.completed_date,
    a.is_relapse, a.as_of_date AS last_reported
FROM snap a
LEFT JOIN cat USING (category)
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE (len($units) = 0 OR a.unit_id IN (SELECT unnest($units)))
  AND (len($categories) = 0 OR a.category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR a.source_channel IN (SELECT unnest($channels)))
ORDER BY sort_order, a.unit_id, category_no, a.manifestation_code NULLS LAST,
         try_cast(a.serial_no AS INTEGER) NULLS LAST, a.serial_no, a.problem_id
