-- 统计日选项（“期”）：每个台账报送节点截止后（截止日 + 宽限天数）为一期。
-- 最新数据晚于某期截止、又早于下一个报送节点时（迟报的台账、新登记的线索），该期的统计日顺延到最新数据日。
-- 各单位报送日期不一，按期而非按单个报送日比较，“较上期”才有意义。
-- 填报时间晚于今天或晚于专项整治结束一年（多为年份笔误）的报送不参与定期：不会把默认统计日推到将来。
WITH plausible AS (
    SELECT least(current_date, CAST(end_date + INTERVAL 1 YEAR AS DATE)) AS latest_allowed
    FROM campaigns WHERE campaign_id = $campaign_id
),
latest AS (          -- 最新数据日：台账或线索登记表最近一次的填报时间
    SELECT (SELECT min(as_of_date) FROM ledger_snapshots, plausible
             WHERE campaign_id = $campaign_id AND as_of_date <= latest_allowed) AS first_date,
           (SELECT max(as_of_date) FROM submissions, plausible
             WHERE campaign_id = $campaign_id AND kind IN ('ledger', 'leads') AND rows_loaded > 0
               AND as_of_date <= latest_allowed) AS latest_date
),
closes AS (          -- 报送节点窗口（宏见 etl/sql/views.sql）；最后一个节点的 next_due 为 9999-12-31
    SELECT win_end AS close_date, next_due FROM ledger_report_windows($campaign_id)
),
periods AS (
    SELECT CASE WHEN l.latest_date > k.close_date AND l.latest_date < k.next_due
                THEN l.latest_date ELSE k.close_date END AS as_of_date
    FROM closes AS k, latest AS l
    WHERE k.close_date <= l.latest_date AND k.close_date >= l.first_date
    UNION
    SELECT latest_date FROM latest WHERE latest_date IS NOT NULL
)
SELECT d.as_of_date,
       count(DISTINCT s.unit_id) AS units_reporting,
       count(DISTINCT s.problem_id) AS problems
FROM periods AS d
LEFT JOIN ledger_snapshots AS s
       ON s.campaign_id = $campaign_id AND s.as_of_date <= d.as_of_date
GROUP BY d.as_of_date
ORDER BY d.as_of_date
