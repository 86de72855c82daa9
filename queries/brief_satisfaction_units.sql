-- 简报：统计日所在年度及以前最近一次测评的各单位满意度得分（均分×20）与排名；
-- 样本量少于 survey_min_responses 的单位不参与排名（rank 为空）。
-- 该年度没有逐份问卷、只在满意度汇总表（survey_unit_scores）里的单位：得分取汇总表得分（无得分时用满意率），
-- 样本量取汇总表样本量（未填则不排名），source = '汇总表'；规则与 satisfaction_ranking.sql 相同。
WITH sx AS (            -- 汇总表：该年度没有逐份问卷的单位
    SELECT *
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), [])
), yr AS (
    SELECT max(survey_year) AS survey_year
    FROM (SELECT survey_year FROM survey_responses
          WHERE campaign_id = $campaign_id AND survey_year <= year(CAST($as_of AS DATE))
          UNION ALL
          SELECT survey_year FROM sx)
), r AS (
    SELECT s.*
    FROM survey_responses s, yr
    WHERE s.campaign_id = $campaign_id AND s.survey_year = yr.survey_year
      AND (len($units) = 0 OR s.unit_id IN (SELECT unnest($units)))
), c AS (
    SELECT survey_min_responses AS min_n, survey_low_score_below AS low_below,
           survey_low_rank_bottom AS low_bottom
    FROM campaigns WHERE campaign_id = $campaign_id
), g AS (
    SELECT r.unit_id, any_value(r.survey_year) AS survey_year,
           count(DISTINCT r.response_id) AS responses, avg(r.score) * 20 AS score, '问卷' AS source
    FROM r GROUP BY r.unit_id
    UNION ALL
    SELECT sx.unit_id, sx.survey_year, sx.sample_size, coalesce(sx.score, sx.satisfaction_rate), '汇总表'
    FROM sx, yr
    WHERE sx.survey_year = yr.survey_year
      AND (len($units) = 0 OR sx.unit_id IN (SELECT unnest($units)))
), ranked AS (
    SELECT g.*, c.min_n, c.low_below, c.low_bottom,
           coalesce(g.responses, 0) >= c.min_n AS rankable,
           CASE WHEN coalesce(g.responses, 0) >= c.min_n
                THEN rank() OVER (PARTITION BY coalesce(g.responses, 0) >= c.min_n ORDER BY g.score DESC) END AS rank,
           count(*) FILTER (WHERE coalesce(g.responses, 0) >= c.min_n) OVER () AS ranked_units
    FROM g, c
)
SELECT
    ranked.survey_year, ranked.unit_id, u.name AS unit_name, ranked.responses, ranked.score,
    ranked.rankable, ranked.rank, ranked.ranked_units,
    ranked.rankable AND (ranked.score < ranked.low_below
                         OR ranked.rank > ranked.ranked_units - ranked.low_bottom) AS is_low,
    ranked.source
FROM ranked
LEFT JOIN units u ON u.campaign_id = $campaign_id AND u.unit_id = ranked.unit_id
ORDER BY ranked.rank NULLS LAST, ranked.score DESC, u.sort_order
