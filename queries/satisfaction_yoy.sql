-- 满意度逐年对比：统计日所在年度及以前每个测评年度 × 单位 的得分、问卷份数，以及与上一测评年度相比的变化（分）。
-- 某单位某年度没有逐份问卷时用满意度汇总表（survey_unit_scores）：得分（无得分时用满意率），份数取样本量（可为空），
-- source = '汇总表'。
-- 逐份问卷部分读预计算的每个年度、单位的合计（survey_unit_year_scores，etl/sql/precompute.sql）；未经建库的库
-- （测试夹具）里它是空的，此时逐份计算（NOT EXISTS 只查一次）。两者结果相同（tests/test_precomputed.py）。
WITH unit_years AS (
    SELECT
        survey_year,
        unit_id,
        responses AS respondents,
        total / scored * 20 AS score,               -- 全部有分的题的平均分 × 20
        '问卷' AS source
    FROM survey_unit_year_scores
    WHERE campaign_id = $campaign_id AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
    UNION ALL
    SELECT survey_year, unit_id, count(DISTINCT response_id), sum(total) / sum(scored) * 20, '问卷'
    FROM response_scores($campaign_id)                -- 每份问卷一行（宏见 etl/sql/views.sql）
    WHERE survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND NOT EXISTS (SELECT 1 FROM survey_unit_year_scores WHERE campaign_id = $campaign_id)
    GROUP BY survey_year, unit_id
    UNION ALL
    SELECT survey_year, unit_id, sample_size, score_or_rate, '汇总表'
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
)
SELECT
    unit_years.survey_year,
    unit_years.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    unit_years.respondents,
    unit_years.score,
    lag(unit_years.survey_year) OVER unit_history AS prev_year,
    lag(unit_years.score) OVER unit_history AS prev_score,
    unit_years.score - lag(unit_years.score) OVER unit_history AS change,
    unit_years.source
FROM unit_years
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = unit_years.unit_id
WINDOW unit_history AS (PARTITION BY unit_years.unit_id ORDER BY unit_years.survey_year)
ORDER BY unit_years.survey_year, sort_order
