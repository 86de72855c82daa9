-- 满意度测评年度：统计日所在年度及以前有测评数据的年度，各年度问卷份数与被测评单位数（最近年度在前）。
-- 满意度汇总表（survey_unit_scores）中该年度没有逐份问卷的单位也算：份数加上其样本量，summary_units 为其单位数。
-- 逐份问卷部分读预计算的每个年度、单位的合计（survey_unit_year_scores，etl/sql/precompute.sql）；未经建库的库
-- （测试夹具）里它是空的，此时逐份计算（NOT EXISTS 只查一次）。两者结果相同（tests/test_precomputed.py）。
WITH unit_years AS (     -- 每个年度、单位的问卷份数
    SELECT survey_year, unit_id, responses
    FROM survey_unit_year_scores
    WHERE campaign_id = $campaign_id AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
    UNION ALL
    SELECT survey_year, unit_id, count(DISTINCT response_id)
    FROM response_scores($campaign_id)                -- 每份问卷一行（宏见 etl/sql/views.sql）
    WHERE survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND NOT EXISTS (SELECT 1 FROM survey_unit_year_scores WHERE campaign_id = $campaign_id)
    GROUP BY survey_year, unit_id
), summary_scores AS (
    SELECT survey_year, unit_id, sample_size
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
), response_years AS (
    SELECT survey_year, CAST(sum(responses) AS BIGINT) AS responses, count(unit_id) AS units   -- 一个单位一行
    FROM unit_years
    GROUP BY survey_year
), summary_years AS (
    SELECT survey_year, CAST(coalesce(sum(sample_size), 0) AS BIGINT) AS responses, count(*) AS units
    FROM summary_scores
    GROUP BY survey_year
)
SELECT
    survey_year,
    coalesce(response_years.responses, 0) + coalesce(summary_years.responses, 0) AS responses,
    coalesce(response_years.units, 0) + coalesce(summary_years.units, 0) AS units,
    coalesce(summary_years.units, 0) AS summary_units
FROM response_years
FULL JOIN summary_years USING (survey_year)
ORDER BY survey_year DESC
