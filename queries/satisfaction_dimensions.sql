-- 满意度维度：某测评年度 单位 × 维度 的得分（该维度平均分 × 20）与作答份数
-- 读预计算的每个单位、维度的答题数与分数合计（survey_dimension_scores，etl/sql/precompute.sql）；未经建库的库
-- （测试夹具）里它是空的，此时逐题计算（NOT EXISTS 只查一次）。两者结果相同（tests/test_precomputed.py）。
WITH dimension_scores AS (
    SELECT unit_id, dimension, answers AS respondents, CAST(score_sum AS DOUBLE) / scored AS mean_score
    FROM survey_dimension_scores
    WHERE campaign_id = $campaign_id AND survey_year = $survey_year
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
    UNION ALL
    SELECT unit_id, dimension, count(*), avg(score)
    FROM survey_responses
    WHERE campaign_id = $campaign_id AND survey_year = $survey_year
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND NOT EXISTS (SELECT 1 FROM survey_dimension_scores WHERE campaign_id = $campaign_id)
    GROUP BY unit_id, dimension
)
SELECT
    dimension_scores.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    dimension_scores.dimension,
    dimension_scores.respondents,
    dimension_scores.mean_score,
    dimension_scores.mean_score * 20 AS score
FROM dimension_scores
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = dimension_scores.unit_id
ORDER BY sort_order, dimension_scores.dimension
