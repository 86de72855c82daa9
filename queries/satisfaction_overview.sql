-- 满意度：统计日所在年度及以前各测评年度的总体得分，最近年度在前。
-- 逐份问卷部分：全部题目平均分 × 20。该年度还有只在满意度汇总表（survey_unit_scores）里的单位时，
-- 总体得分 = 问卷部分得分与各汇总表单位得分（无得分时用满意率）按份数/样本量加权平均；未填样本量的汇总表单位
-- 不计入（全年都没有样本量时取这些单位得分的简单平均）。responses 含汇总表样本量，summary_units 为汇总表单位数。
WITH unit_years AS (     -- 每个年度、单位的问卷份数、答题数、有分的题数、分数合计：读预计算的
    SELECT survey_year, responses, answers, scored, total   -- survey_unit_year_scores（etl/sql/precompute.sql）；
    FROM survey_unit_year_scores                              -- 未经建库的库（测试夹具）里它是空的，此时逐份
    WHERE campaign_id = $campaign_id AND survey_year <= year(CAST($as_of AS DATE))   -- 计算（NOT EXISTS 只查一次）
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
    UNION ALL
    SELECT survey_year, count(DISTINCT response_id), sum(answers), sum(scored), sum(total)
    FROM response_scores($campaign_id)                -- 每份问卷一行（宏见 etl/sql/views.sql）
    WHERE survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND NOT EXISTS (SELECT 1 FROM survey_unit_year_scores WHERE campaign_id = $campaign_id)
    GROUP BY survey_year, unit_id
), response_years AS (  -- 得分 = 全部有分的题的平均分 × 20（问卷编号各单位不同：份数按单位相加）
    SELECT survey_year, CAST(sum(responses) AS BIGINT) AS responses, CAST(sum(answers) AS BIGINT) AS answers,
           sum(total) / sum(scored) * 20 AS score
    FROM unit_years
    GROUP BY survey_year
), summary_scores AS (
    SELECT survey_year, score_or_rate AS score, sample_size
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
), summary_years AS (
    SELECT
        survey_year,
        count(*) AS summary_units,
        CAST(coalesce(sum(sample_size), 0) AS BIGINT) AS sample,
        sum(score * sample_size) AS weighted,
        avg(score) AS plain
    FROM summary_scores
    GROUP BY survey_year
), years AS (
    SELECT
        survey_year,
        coalesce(response_years.responses, 0) + coalesce(summary_years.sample, 0) AS responses,
        coalesce(response_years.answers, 0) AS answers,
        CASE
            WHEN summary_years.survey_year IS NULL THEN response_years.score
            WHEN coalesce(response_years.responses, 0) + summary_years.sample > 0
                THEN (coalesce(response_years.score * response_years.responses, 0) + coalesce(summary_years.weighted, 0))
                     / (coalesce(response_years.responses, 0) + summary_years.sample)
            ELSE summary_years.plain
        END AS score,
        coalesce(summary_years.summary_units, 0) AS summary_units
    FROM response_years
    FULL JOIN summary_years USING (survey_year)
)
SELECT survey_year, responses, answers, score / 20 AS mean_score, score, summary_units
FROM years
ORDER BY survey_year DESC
