-- 简报：统计日所在年度及以前最近一次测评的各单位满意度得分（均分×20）与排名；
-- 样本量少于 survey_min_responses 的单位不参与排名（rank 为空）。
-- 该年度没有逐份问卷、只在满意度汇总表（survey_unit_scores）里的单位：得分取汇总表得分（无得分时用满意率），
-- 样本量取汇总表样本量（未填则不排名），source = '汇总表'；规则与 satisfaction_ranking.sql 相同。
WITH summary_scores AS (   -- 汇总表：该年度没有逐份问卷的单位（宏见 etl/sql/views.sql）
    SELECT *
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), [])
), latest_year AS (
    SELECT max(survey_year) AS survey_year
    FROM (SELECT survey_year FROM survey_responses
          WHERE campaign_id = $campaign_id AND survey_year <= year(CAST($as_of AS DATE))
          UNION ALL
          SELECT survey_year FROM summary_scores)
), responses AS (
    SELECT survey_responses.*
    FROM survey_responses, latest_year
    WHERE survey_responses.campaign_id = $campaign_id AND survey_responses.survey_year = latest_year.survey_year
      AND (len($units) = 0 OR survey_responses.unit_id IN (SELECT unnest($units)))
), thresholds AS (
    SELECT survey_min_responses AS min_n, survey_low_score_below AS low_below,
           survey_low_rank_bottom AS low_bottom
    FROM campaigns WHERE campaign_id = $campaign_id
), unit_scores AS (
    SELECT responses.unit_id, any_value(responses.survey_year) AS survey_year,
           count(DISTINCT responses.response_id) AS responses, avg(responses.score) * 20 AS score, '问卷' AS source
    FROM responses GROUP BY responses.unit_id
    UNION ALL
    SELECT summary_scores.unit_id, summary_scores.survey_year, summary_scores.sample_size,
           summary_scores.score_or_rate, '汇总表'
    FROM summary_scores, latest_year
    WHERE summary_scores.survey_year = latest_year.survey_year
      AND (len($units) = 0 OR summary_scores.unit_id IN (SELECT unnest($units)))
), ranked AS (
    SELECT unit_scores.*, thresholds.min_n, thresholds.low_below, thresholds.low_bottom,
           coalesce(unit_scores.responses, 0) >= thresholds.min_n AS rankable,
           CASE WHEN coalesce(unit_scores.responses, 0) >= thresholds.min_n
                THEN rank() OVER (PARTITION BY coalesce(unit_scores.responses, 0) >= thresholds.min_n
                                  ORDER BY unit_scores.score DESC) END AS rank,
           count(*) FILTER (WHERE coalesce(unit_scores.responses, 0) >= thresholds.min_n) OVER () AS ranked_units
    FROM unit_scores, thresholds
)
SELECT
    ranked.survey_year, ranked.unit_id, units.name AS unit_name, ranked.responses, ranked.score,
    ranked.rankable, ranked.rank, ranked.ranked_units,
    ranked.rankable AND (ranked.score < ranked.low_below
                         OR (ranked.ranked_units > ranked.low_bottom   -- 见 satisfaction_ranking.sql：多于 N 个单位才有“倒数 N 位”
                             AND ranked.rank > ranked.ranked_units - ranked.low_bottom)) AS is_low,
    ranked.source
FROM ranked
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = ranked.unit_id
ORDER BY ranked.rank NULLS LAST, ranked.score DESC, units.sort_order
