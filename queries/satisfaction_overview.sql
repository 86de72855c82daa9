-- 满意度：统计日所在年度及以前各测评年度的总体得分（均分×20），最近年度在前
WITH r AS (
    SELECT *
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
)
SELECT
    survey_year,
    count(DISTINCT response_id) AS responses,
    count(*) AS answers,
    avg(score) AS mean_score,
    avg(score) * 20 AS score
FROM r
GROUP BY survey_year
ORDER BY survey_year DESC
