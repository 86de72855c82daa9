-- 满意度维度：某测评年度 单位 × 维度 的得分（该维度平均分 × 20）与作答份数
SELECT
    r.unit_id,
    un.name AS unit_name,
    coalesce(un.sort_order, 999) AS sort_order,
    r.dimension,
    count(*) AS respondents,
    avg(r.score) AS mean_score,
    avg(r.score) * 20 AS score
FROM survey_responses r
LEFT JOIN units un ON un.campaign_id = r.campaign_id AND un.unit_id = r.unit_id
WHERE r.campaign_id = $campaign_id
  AND r.survey_year = $survey_year
  AND (len($units) = 0 OR r.unit_id IN (SELECT unnest($units)))
GROUP BY ALL
ORDER BY sort_order, r.dimension
