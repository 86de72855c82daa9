-- problems：每个问题的最新一期台账记录。
CREATE VIEW problems AS
SELECT *
FROM ledger_snapshots
QUALIFY row_number() OVER (PARTITION BY campaign_id, problem_id
                           ORDER BY as_of_date DESC, submission_id DESC) = 1;
