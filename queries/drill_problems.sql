-- 下钻：一个数字背后的问题清单（总览指标卡、县区进度的柱、问题热点的格子、滞后单位）。
-- 与 kpi_overview.sql / unit_progress.sql / hotspot_matrix.sql 同一口径：filtered_problems 的最新一期和它的 is_* 标志
-- （etl/sql/views.sql），不另写状态取值。$measure 选哪一个计数：
--   problems 全部 | done 已整改+已销号 | rectified 已整改 | closed 已销号 | open 未整改+整改中
--   long_term 长期推进 | overdue 逾期 | relapse 反弹；其他取值没有行。
-- 再按下钻选择缩小（空列表 / '' = 不限）：$sel_units 单位，$sel_category 问题方面（'未分类' = 方面为空，同热点图），
-- $sel_manifestation 表现形式编码，$sel_channel 问题来源；$only_overdue 只看逾期。
-- $limit：只取排在最前的若干行（NULL = 全部）；listed_total 为不限行数时的行数（大库“全部问题”有十万行，
-- 页面只显示前若干行并注明共多少行；用标量子查询数，不用 count(*) OVER ()：那要先把几万行宽行全部排成窗口）。
WITH problems AS (
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), picked AS (
    SELECT *
    FROM problems
    WHERE CASE $measure
            WHEN 'problems' THEN true
            WHEN 'done' THEN is_done
            WHEN 'rectified' THEN is_rectified
            WHEN 'closed' THEN is_closed
            WHEN 'open' THEN is_open
            WHEN 'long_term' THEN is_long_term
            WHEN 'overdue' THEN is_overdue
            WHEN 'relapse' THEN is_relapse
            ELSE false
          END
      AND (len($sel_units) = 0 OR list_contains($sel_units, unit_id))
      AND ($sel_category = '' OR coalesce(category, '未分类') = $sel_category)
      AND ($sel_manifestation = '' OR manifestation_code = $sel_manifestation)
      AND ($sel_channel = '' OR source_channel = $sel_channel)
      AND (NOT $only_overdue OR is_overdue)
)
SELECT  -- 状态、整改时限、是否逾期在前
    coalesce(units.name, picked.unit_id) AS unit_name, picked.serial_no, picked.status, picked.deadline,
    picked.is_overdue, picked.category, picked.manifestation_code, picked.manifestation, picked.case_text,
    picked.source_channel, picked.measure, picked.deadline_kind,
    picked.is_done, picked.is_closed, picked.is_relapse,
    picked.as_of_date AS last_reported, picked.problem_id, picked.unit_id,
    (SELECT count(*) FROM picked) AS listed_total
FROM picked
LEFT JOIN units ON units.campaign_id = picked.campaign_id AND units.unit_id = picked.unit_id
ORDER BY picked.is_overdue DESC, coalesce(units.sort_order, 999), picked.unit_id,
         TRY_CAST(picked.serial_no AS INTEGER) NULLS LAST, picked.serial_no, picked.problem_id
LIMIT $limit
