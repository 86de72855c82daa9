-- 台账快照日期（去重）：统计日选项与“上期”的依据
SELECT as_of_date, count(DISTINCT unit_id) AS units_reporting, count(DISTINCT problem_id) AS problems
FROM ledger_snapshots
WHERE campaign_id = $campaign_id
GROUP BY as_of_date
ORDER BY as_of_date
