-- 表现形式帕累托：各表现形式的问题数（降序）与累计占比（截至统计日）
WITH problems AS (      -- 截至统计日每个问题的最新一期，按侧栏筛选（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), manifestation_counts AS (
    SELECT
        coalesce(manifestation_code, '—') AS manifestation_code,
        coalesce(manifestation, '（未识别表现形式）') AS manifestation,
        coalesce(any_value(category), '未分类') AS category,
        count(*) AS problems
    FROM problems
    GROUP BY ALL
)
SELECT
    *,
    problems / sum(problems) OVER () AS share,
    sum(problems) OVER (ORDER BY problems DESC, manifestation_code
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        / sum(problems) OVER () AS cum_share
FROM manifestation_counts
ORDER BY problems DESC, manifestation_code
