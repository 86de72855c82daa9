-- 问题清单（热点下钻）：在侧栏筛选基础上，再按选中的单位/问题方面/表现形式/来源（'' 表示不限）
SELECT
    a.serial_no, u.name AS unit_name, a.problem_id, a.category, a.manifestation_code, a.manifestation,
    a.case_text, a.source_channel, a.measure, a.deadline, a.deadline_kind, a.status,
    a.deadline_kind = 'date' AND a.deadline < CAST($as_of AS DATE)
        AND a.status IN ('未整改', '整改中') AS is_overdue,
    a.is_relapse, a.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) a
LEFT JOIN units u ON u.campaign_id = a.campaign_id AND u.unit_id = a.unit_id
WHERE ($sel_unit = '' OR a.unit_id = $sel_unit)
  AND ($sel_category = '' OR coalesce(a.category, '未分类') = $sel_category)  -- 热点图的“未分类” = 问题方面为空
  AND ($sel_manifestation = '' OR a.manifestation_code = $sel_manifestation)
  AND ($sel_channel = '' OR a.source_channel = $sel_channel)
ORDER BY u.sort_order, a.category, a.problem_id
