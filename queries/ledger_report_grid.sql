-- 台账报送按节点：每个单位 × 每个已到的报送节点（report_due_dates，不晚于统计日）的报送情况
--   按时：本节点窗口（上一节点 + 宽限天数 之后，至 本节点 + 宽限天数）内有台账报送；
--   迟报：窗口内没有，但在下一个报送节点之前（最后一个节点：统计日之前）补报了；
--   未报：到下一个报送节点（或统计日）仍没有报送；
--   待报：本节点宽限期尚未结束。
-- “按时”与 unit_progress.sql 的 reports_ontime 一致；迟报 + 未报 = 其 reports_missed。宏见 etl/sql/views.sql。
WITH ledger_reports AS (
    SELECT DISTINCT unit_id, as_of_date FROM ledger_reports_as_of($campaign_id, $as_of)
), due AS (
    SELECT * FROM ledger_reports_due($campaign_id, $as_of, $units)
), node_reports AS (    -- 只按（单位, 节点）分组，名称等之后再连上
    SELECT
        due.unit_id, due.due_date,
        min(ledger_reports.as_of_date) FILTER (
            WHERE in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)) AS ontime_date,
        min(ledger_reports.as_of_date) FILTER (
            WHERE ledger_reports.as_of_date > due.win_end AND ledger_reports.as_of_date < due.next_due) AS late_date
    FROM due
    JOIN ledger_reports ON ledger_reports.unit_id = due.unit_id
    GROUP BY due.unit_id, due.due_date
), ledger_report_nodes AS (
    SELECT
        due.unit_id, due.unit_name, due.sort_order, due.due_date, due.win_start, due.win_end, due.next_due,
        node_reports.ontime_date, node_reports.late_date
    FROM due
    LEFT JOIN node_reports ON node_reports.unit_id = due.unit_id AND node_reports.due_date = due.due_date
), final AS (
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
    FROM ledger_report_nodes
)
SELECT * FROM final
ORDER BY sort_order, unit_id, due_date
