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
    SELECT CASE WHEN latest.latest_date > closes.close_date AND latest.latest_date < closes.next_due
                THEN latest.latest_date ELSE closes.close_date END AS as_of_date
    FROM closes, latest
    WHERE closes.close_date <= latest.latest_date AND closes.close_date >= latest.first_date
    UNION
    SELECT latest_date FROM latest WHERE latest_date IS NOT NULL
),
first_reports AS (   -- 截至某期已报送 = 第一次出现在台账里的日期不晚于该期；按首次日期汇总，每期只加总几十行
    SELECT first_date, count(problem_id) AS problems, 0 AS units
    FROM (SELECT problem_id, min(as_of_date) AS first_date FROM ledger_snapshots
          WHERE campaign_id = $campaign_id GROUP BY problem_id)
    GROUP BY first_date
    UNION ALL
    SELECT first_date, 0, count(unit_id)
    FROM (SELECT unit_id, min(as_of_date) AS first_date FROM ledger_snapshots
          WHERE campaign_id = $campaign_id GROUP BY unit_id)
    GROUP BY first_date
)
SELECT periods.as_of_date,
       CAST(coalesce(sum(first_reports.units), 0) AS BIGINT) AS units_reporting,
       CAST(coalesce(sum(first_reports.problems), 0) AS BIGINT) AS problems
FROM periods
LEFT JOIN first_reports ON first_reports.first_date <= periods.as_of_date
GROUP BY periods.as_of_date
ORDER BY periods.as_of_date
