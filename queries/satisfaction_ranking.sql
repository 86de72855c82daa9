-- 满意度排名：某测评年度各单位的满意度得分（全部题目平均分 × 20）、样本量（问卷份数）和 95% 置信区间。
-- 置信区间：每份问卷先求各维度平均分，按问卷平均分的标准差作正态近似：得分 ± 1.96 × 标准差 ÷ √份数 × 20。
-- 问卷少于 campaigns.survey_min_responses 份的单位为“样本不足”，不参与排名；
-- “满意度低”：可排名单位中得分低于 survey_low_score_below，或排名倒数 survey_low_rank_bottom 位。
-- 排名在该年度全部被测评单位中计算，$units 只决定显示哪些单位。
-- 该年度没有逐份问卷、只有满意度汇总表（survey_unit_scores）的单位也参加排名：得分取汇总表的得分，
-- 没有得分时以满意率（0–100）作得分；样本量取汇总表的样本量，同样按 survey_min_responses 判定，
-- 未填样本量的不排名；没有逐份答案，不计置信区间（source = '汇总表'）。
WITH thresholds AS (
    SELECT
        survey_low_score_below AS low_below,
        survey_low_rank_bottom AS low_bottom,
        survey_min_responses AS min_responses
    FROM campaigns
    WHERE campaign_id = $campaign_id
), response_means AS (  -- 每份问卷：各维度平均分（宏见 etl/sql/views.sql）
    SELECT unit_id, response_id, resp_mean, answers, total
    FROM response_scores($campaign_id)
    WHERE survey_year = $survey_year
), unit_responses AS (
    SELECT
        unit_id,
        count(*) AS respondents,
        sum(answers) AS answers,
        sum(total) / sum(answers) AS mean_score,
        stddev_samp(resp_mean) AS sd_resp
    FROM response_means
    GROUP BY unit_id
), summary_units AS (    -- 汇总表：该年度没有逐份问卷的单位
    SELECT
        unit_id,
        sample_size AS respondents,
        score_or_rate AS score,
        satisfaction_rate,
        score IS NULL AS rate_as_score
    FROM summary_only_scores($campaign_id, $survey_year, [])   -- 宏见 etl/sql/views.sql
    WHERE survey_year = $survey_year
), unit_scores AS (
    SELECT unit_id, respondents, answers, mean_score, mean_score * 20 AS score,
           1.96 * sd_resp / sqrt(respondents) * 20 AS ci_half,
           '问卷' AS source, CAST(NULL AS DOUBLE) AS satisfaction_rate, false AS rate_as_score
    FROM unit_responses
    UNION ALL
    SELECT unit_id, respondents, NULL, score / 20, score, NULL, '汇总表', satisfaction_rate, rate_as_score
    FROM summary_units
), rankable_scores AS (
    SELECT
        unit_scores.*,
        coalesce(unit_scores.respondents, 0) >= coalesce(thresholds.min_responses, 0) AS rankable,
        thresholds.low_below, thresholds.low_bottom, thresholds.min_responses
    FROM unit_scores
    CROSS JOIN thresholds
), ranked AS (
    SELECT
        rankable_scores.*,
        CASE WHEN rankable THEN rank() OVER (PARTITION BY rankable ORDER BY score DESC) END AS rank,
        count(*) FILTER (WHERE rankable) OVER () AS n_rankable
    FROM rankable_scores
), flagged AS (
    SELECT
        ranked.*,
        rankable AND score < low_below AS low_by_score,
        -- 倒数 N 位只在参与排名的单位多于 N 个时有意义（单位账号只看得到自己：1 个单位不算“倒数第 1”）
        rankable AND n_rankable > low_bottom AND rank > n_rankable - low_bottom AS low_by_rank
    FROM ranked
)
SELECT
    flagged.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    flagged.respondents,
    flagged.answers,
    flagged.mean_score,
    flagged.score,
    flagged.ci_half,
    CASE WHEN flagged.ci_half IS NOT NULL THEN greatest(flagged.score - flagged.ci_half, 20) END AS ci_low,
    CASE WHEN flagged.ci_half IS NOT NULL THEN least(flagged.score + flagged.ci_half, 100) END AS ci_high,
    flagged.rankable,
    flagged.rank,
    flagged.n_rankable,
    flagged.min_responses,
    flagged.low_by_score OR flagged.low_by_rank AS is_low,
    CASE
        WHEN NOT flagged.rankable AND flagged.respondents IS NULL THEN '汇总表未填样本量，不排名'
        WHEN NOT flagged.rankable THEN '样本不足（' || flagged.respondents || '份，少于' || flagged.min_responses || '份），不排名'
        ELSE concat_ws('；',
            CASE WHEN flagged.low_by_score THEN '得分' || printf('%.1f', flagged.score) || '分，低于' || printf('%g', flagged.low_below) || '分' END,
            CASE WHEN flagged.low_by_rank THEN '排名倒数第' || (flagged.n_rankable - flagged.rank + 1) || '位（共' || flagged.n_rankable || '个可排名单位）' END)
    END AS low_reason,
    flagged.source,
    flagged.satisfaction_rate,
    CASE WHEN flagged.source = '汇总表' THEN
        '来自汇总表' || CASE WHEN flagged.rate_as_score THEN '，以满意率作得分' ELSE '' END || '（无逐份问卷，无置信区间）'
    END AS source_note
FROM flagged
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = flagged.unit_id
WHERE len($units) = 0 OR flagged.unit_id IN (SELECT unnest($units))
ORDER BY flagged.rankable DESC, flagged.rank, flagged.score DESC, sort_order
