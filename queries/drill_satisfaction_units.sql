-- 下钻：总览“满意度得分”卡片背后的各单位（测评年度 $survey_year）：问卷份数与得分，得分低的在前。
-- 与 satisfaction_overview.sql 同一口径：逐份问卷的单位得分 = 全部题目平均分 × 20；该年度没有逐份问卷、只在
-- 满意度汇总表里的单位取汇总表的样本量和得分（无得分时用满意率）。各单位份数之和 = 卡片上的份数
-- （汇总表未填样本量的单位计 0 份，与卡片相同）。
WITH responses AS (
    SELECT *
    FROM survey_responses
    WHERE campaign_id = $campaign_id AND survey_year = $survey_year
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), from_responses AS (
    SELECT unit_id, count(DISTINCT response_id) AS responses, avg(score) * 20 AS score, '逐份问卷' AS source
    FROM responses
    GROUP BY unit_id
), from_summary AS (    -- 宏见 etl/sql/views.sql
    SELECT unit_id, CAST(coalesce(sample_size, 0) AS BIGINT) AS responses, score_or_rate AS score, '汇总表' AS source
    FROM summary_only_scores($campaign_id, $survey_year, $units)
    WHERE survey_year = $survey_year
), unit_scores AS (
    SELECT * FROM from_responses
    UNION ALL
    SELECT * FROM from_summary
)
SELECT
    coalesce(units.name, unit_scores.unit_id) AS unit_name, unit_scores.responses,
    round(unit_scores.score, 1) AS score, unit_scores.source, unit_scores.unit_id
FROM unit_scores
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = unit_scores.unit_id
ORDER BY unit_scores.score NULLS LAST, coalesce(units.sort_order, 999), unit_scores.unit_id
