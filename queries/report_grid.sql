-- 台账报送按节点：每个单位 × 每个已到的报送节点（report_due_dates，不晚于统计日）的报送情况
--   按时：本节点窗口（上一节点 + 宽限天数 之后，至 本节点 + 宽限天数）内有台账报送；
--   迟报：窗口内没有，但在下一个报送节点之前（最后一个节点：统计日之前）补报了；
--   未报：到下一个报送节点（或统计日）仍没有报送；
--   待报：本节点宽限期尚未结束。
-- “按时”与 unit_progress.sql 的 reports_ontime 一致；迟报 + 未报 = 其 reports_missed。
WITH u AS (
    SELECT unit_id, name, sort_order
    FROM units
    WHERE campaign_id = $campaign_id
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), win AS (             -- 报送节点窗口（宏见 etl/sql/views.sql）
    SELECT * FROM report_windows($campaign_id)
), ls AS (
    SELECT DISTINCT unit_id, as_of_date
    FROM submissions
    WHERE campaign_id = $campaign_id AND kind = 'ledger' AND as_of_date <= CAST($as_of AS DATE)
), m AS (
    SELECT
        u.unit_id, u.name AS unit_name, u.sort_order, w.due_date, w.win_start, w.win_end, w.next_due,
        min(ls.as_of_date) FILTER (WHERE (w.win_start IS NULL OR ls.as_of_date > w.win_start)
                                     AND ls.as_of_date <= w.win_end) AS ontime_date,
        min(ls.as_of_date) FILTER (WHERE ls.as_of_date > w.win_end
                                     AND ls.as_of_date < w.next_due) AS late_date
    FROM u
    CROSS JOIN win w
    LEFT JOIN ls ON ls.unit_id = u.unit_id
    WHERE w.due_date <= CAST($as_of AS DATE)
    GROUP BY ALL
)
SELECT
    unit_id,
    unit_name,
    sort_order,
    due_date,
    win_end AS grace_end,
    coalesce(ontime_date, late_date) AS report_date,
    CASE
        WHEN ontime_date IS NOT NULL THEN '按时'
        WHEN late_date IS NOT NULL THEN '迟报'
        WHEN win_end >= CAST($as_of AS DATE) THEN '待报'
        ELSE '未报'
    END AS report_status,
    CASE WHEN ontime_date IS NULL AND late_date IS NOT NULL THEN late_date - win_end END AS days_late
FROM m
ORDER BY sort_order, unit_id, due_date
