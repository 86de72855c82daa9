-- 统计日选项（“期”）：每个台账报送节点截止后（截止日 + 宽限天数）为一期；
-- 最新一次报送晚于最后一期时，另加最新报送日。“上期”取统计日之前最近的一期。
-- 各单位报送日期不一，按期而非按单个报送日比较，环比才有意义。
WITH campaign AS (
    SELECT grace_days FROM campaigns WHERE campaign_id = $campaign_id
),
latest AS (
    SELECT max(as_of_date) AS latest_date FROM ledger_snapshots WHERE campaign_id = $campaign_id
),
periods AS (
    SELECT r.due_date + c.grace_days AS as_of_date
    FROM report_due_dates AS r, campaign AS c, latest AS l
    WHERE r.campaign_id = $campaign_id AND r.due_date + c.grace_days <= l.latest_date
    UNION
    SELECT latest_date FROM latest WHERE latest_date IS NOT NULL
),
dates AS (
    SELECT as_of_date FROM periods
    WHERE as_of_date >= (SELECT min(as_of_date) FROM ledger_snapshots WHERE campaign_id = $campaign_id)
)
SELECT d.as_of_date,
       count(DISTINCT s.unit_id) AS units_reporting,
       count(DISTINCT s.problem_id) AS problems
FROM dates AS d
LEFT JOIN ledger_snapshots AS s
       ON s.campaign_id = $campaign_id AND s.as_of_date <= d.as_of_date
GROUP BY d.as_of_date
ORDER BY d.as_of_date
