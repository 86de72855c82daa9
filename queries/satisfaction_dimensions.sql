-- 满意度维度：某测评年度 单位 × 维度 的得分（该维度平均分 × 20）与作答份数
SELECT
    responses.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    responses.dimension,
    count(*) AS respondents,
    avg(responses.score) AS mean_score,
    avg(responses.score) * 20 AS score
FROM survey_responses AS responses
LEFT JOIN units ON units.campaign_id = responses.campaign_id AND units.unit_id = responses.unit_id
WHERE responses.campaign_id = $campaign_id
  AND responses.survey_year = $survey_year
  AND (len($units) = 0 OR responses.unit_id IN (SELECT unnest($units)))
GROUP BY ALL
ORDER BY sort_order, responses.dimension
