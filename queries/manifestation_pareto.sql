-- 表现形式帕累托：各表现形式的问题数（降序）与累计占比（截至统计日）
WITH snap AS (
    SELECT *
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
), p AS (
    SELECT *
    FROM snap
    WHERE (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
), g AS (
    SELECT
        coalesce(manifestation_code, '—') AS manifestation_code,
        coalesce(manifestation, '（未识别表现形式）') AS manifestation,
        any_value(category) AS category,
        count(*) AS problems
    FROM p
    GROUP BY ALL
)
SELECT
    *,
    problems / sum(problems) OVER () AS share,
    sum(problems) OVER (ORDER BY problems DESC, manifestation_code
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        / sum(problems) OVER () AS cum_share
FROM g
ORDER BY problems DESC, manifestation_code
