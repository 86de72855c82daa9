-- 整改进度趋势：每个快照日期（≤ 统计日）按“截至该日”口径的问题数、整改率、逾期、反弹。
-- 口径同 filtered_problems_by_date（宏见 etl/sql/views.sql），但不把每个问题展开到每个日期（全国几万个问题 × 近百个
-- 快照日期是几百万行）：每行快照在有效期 [as_of_date, valid_until) 的起止各记一次增减，逾期从 problem_overdue_from
-- 记起，按日累加后取每个快照日期当天的累计值。
WITH periods AS (       -- 每行快照及其有效期，按侧栏筛选（问题方面、来源按该行的取值，同 filtered_problems_by_date）
    SELECT
        as_of_date, valid_until,
        coalesce(status_is_done(status), false)::INTEGER AS done,
        coalesce(status_is_closed(status), false)::INTEGER AS closed,
        coalesce(is_relapse, false)::INTEGER AS relapse,
        -- 逾期区间的起点：有效期开始与逾期起始日中较晚的（greatest 会略过 NULL，所以不会逾期的另判）
        CASE WHEN problem_overdue_from(deadline_kind, deadline, status) IS NOT NULL
             THEN greatest(as_of_date, problem_overdue_from(deadline_kind, deadline, status)) END AS overdue_from
    FROM snapshots_with_validity($campaign_id, $as_of, $units)
    WHERE sidebar_match(unit_id, category, source_channel, [], $categories, $channels)
), changes AS (         -- 有效期开始 +1、结束 −1；逾期区间 [overdue_from, valid_until) 同样
    SELECT as_of_date AS day, 1 AS problems, done, closed, relapse, 0 AS overdue FROM periods
    UNION ALL
    SELECT valid_until, -1, -done, -closed, -relapse, 0 FROM periods
    UNION ALL
    SELECT overdue_from, 0, 0, 0, 0, 1 FROM periods WHERE overdue_from < valid_until
    UNION ALL
    SELECT valid_until, 0, 0, 0, 0, -1 FROM periods WHERE overdue_from < valid_until
), running AS (         -- 截至每个变化日的累计值
    SELECT day,
        CAST(sum(sum(problems)) OVER by_day AS BIGINT) AS problems,
        CAST(sum(sum(done)) OVER by_day AS BIGINT) AS done,
        CAST(sum(sum(closed)) OVER by_day AS BIGINT) AS closed,
        CAST(sum(sum(overdue)) OVER by_day AS BIGINT) AS overdue,
        CAST(sum(sum(relapse)) OVER by_day AS BIGINT) AS relapse
    FROM changes
    GROUP BY day
    WINDOW by_day AS (ORDER BY day)
), snapshot_dates AS (  -- 快照日期取全部单位的（同 filtered_problems_by_date）
    SELECT DISTINCT as_of_date AS snap_date
    FROM ledger_snapshots
    WHERE campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE)
)
SELECT
    snapshot_dates.snap_date,
    running.problems,
    running.done,
    running.closed,
    running.overdue,
    running.relapse,
    running.done / running.problems AS completion,
    running.closed / running.problems AS closure
FROM snapshot_dates
ASOF JOIN running ON snapshot_dates.snap_date >= running.day
WHERE running.problems > 0
ORDER BY snapshot_dates.snap_date
