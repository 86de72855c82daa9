-- 反弹（推导）：同一单位、同一表现形式，在一个问题已整改或销号之后又出现新问题。
-- 新问题标为反弹，relapse_of 指向它重复的那个最近一次被整改的问题。
-- 建库时在 views.sql 之后执行（用它的 status_is_done 宏）。
UPDATE ledger_snapshots AS snapshot
SET is_relapse = true,
    relapse_basis = coalesce(snapshot.relapse_basis, '推导'),
    relapse_of = relapse.earlier_problem_id
FROM (
    WITH first_seen AS (
        SELECT campaign_id, unit_id, problem_id, manifestation_code, min(as_of_date) AS first_seen
        FROM ledger_snapshots
        WHERE manifestation_code IS NOT NULL
        GROUP BY ALL
    ),
    rectified AS (
        SELECT campaign_id, unit_id, problem_id, manifestation_code, min(as_of_date) AS rectified_on
        FROM ledger_snapshots
        WHERE status_is_done(status) AND manifestation_code IS NOT NULL
        GROUP BY ALL
    )
    SELECT first_seen.campaign_id, first_seen.problem_id, rectified.problem_id AS earlier_problem_id
    FROM first_seen
    JOIN rectified
      ON rectified.campaign_id = first_seen.campaign_id AND rectified.unit_id = first_seen.unit_id
     AND rectified.manifestation_code = first_seen.manifestation_code
     AND rectified.problem_id <> first_seen.problem_id AND rectified.rectified_on < first_seen.first_seen
    QUALIFY row_number() OVER (PARTITION BY first_seen.campaign_id, first_seen.problem_id
                               ORDER BY rectified.rectified_on DESC, rectified.problem_id) = 1
) AS relapse
WHERE snapshot.campaign_id = relapse.campaign_id AND snapshot.problem_id = relapse.problem_id;
