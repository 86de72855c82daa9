-- 满意度测评年度：统计日所在年度及以前有测评数据的年度，各年度问卷份数与被测评单位数（最近年度在前）
WITH r AS (
    SELECT survey_year, unit_id, response_id
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
)
SELECT
    survey_year,
    count(DISTINCT (unit_id, response_id)) AS responses,
    count(DISTINCT unit_id) AS units
FROM r
GROUP BY survey_year
ORDER BY survey_year DESC
