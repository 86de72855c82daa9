-- 反弹（推导）：同一单位、同一表现形式，在一个问题已整改或销号之后又出现新问题。
-- 新问题标为反弹，relapse_of 指向它重复的那个最近一次被整改的问题。
UPDATE ledger_snapshots AS s
SET is_relapse = true,
    relapse_basis = coalesce(s.relapse_basis, '推导'),
    relapse_of = l.earlier_problem_id
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
        WHERE status IN ('已整改', '已销号') AND manifestation_code IS NOT NULL
        GROUP BY ALL
    )
    SELECT f.campaign_id, f.problem_id, r.problem_id AS earlier_problem_id
    FROM first_seen AS f
    JOIN rectified AS r
      ON r.campaign_id = f.campaign_id AND r.unit_id = f.unit_id
     AND r.manifestation_code = f.manifestation_code
     AND r.problem_id <> f.problem_id AND r.rectified_on < f.first_seen
    QUALIFY row_number() OVER (PARTITION BY f.campaign_id, f.problem_id
                               ORDER BY r.rectified_on DESC, r.problem_id) = 1
) AS l
WHERE s.campaign_id = l.campaign_id AND s.problem_id = l.problem_id;
