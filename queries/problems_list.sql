-- 问题清单（热点下钻）：在侧栏筛选基础上，再按选中的单位/问题方面/表现形式/来源（'' 表示不限）
SELECT
    problems.serial_no, units.name AS unit_name, problems.problem_id, problems.category,
    problems.manifestation_code, problems.manifestation, problems.case_text, problems.source_channel,
    problems.measure, problems.deadline, problems.deadline_kind, problems.status, problems.is_overdue,
    problems.is_relapse, problems.as_of_date AS last_reported
FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels) AS problems
LEFT JOIN units ON units.campaign_id = problems.campaign_id AND units.unit_id = problems.unit_id
WHERE ($sel_unit = '' OR problems.unit_id = $sel_unit)
  AND ($sel_category = '' OR coalesce(problems.category, '未分类') = $sel_category)  -- 热点图的“未分类” = 问题方面为空
  AND ($sel_manifestation = '' OR problems.manifestation_code = $sel_manifestation)
  AND ($sel_channel = '' OR problems.source_channel = $sel_channel)
ORDER BY units.sort_order, problems.category, problems.problem_id
