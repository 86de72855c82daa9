-- 满意度测评年度：统计日所在年度及以前有测评数据的年度，各年度问卷份数与被测评单位数（最近年度在前）。
-- 满意度汇总表（survey_unit_scores）中该年度没有逐份问卷的单位也算：份数加上其样本量，summary_units 为其单位数。
WITH r AS (
    SELECT survey_year, unit_id, response_id
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), s AS (
    SELECT survey_year, unit_id, sample_size
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
), yr AS (
    SELECT survey_year, count(DISTINCT (unit_id, response_id)) AS responses, count(DISTINCT unit_id) AS units
    FROM r
    GROUP BY survey_year
), ys AS (
    SELECT survey_year, CAST(coalesce(sum(sample_size), 0) AS BIGINT) AS responses, count(*) AS units
    FROM s
    GROUP BY survey_year
)
SELECT
    survey_year,
    coalesce(yr.responses, 0) + coalesce(ys.responses, 0) AS responses,
    coalesce(yr.units, 0) + coalesce(ys.units, 0) AS units,
    coalesce(ys.units, 0) AS summary_units
FROM yr
FULL JOIN ys USING (survey_year)
ORDER BY survey_year DESC
