-- 台账报送情况：每个单位 × 每个已到的报送节点，窗口（上一节点+宽限, 本节点+宽限] 内是否有报送。宏见 etl/sql/views.sql。
WITH ledger_reports AS (
    SELECT unit_id, as_of_date, submission_id FROM ledger_reports_as_of($campaign_id, $as_of)
), due AS (
    SELECT * FROM ledger_reports_due($campaign_id, $as_of, $units)
), window_reports AS (  -- 每个单位 × 节点窗口内的报送：只按（单位, 节点）分组，名称等之后再连上
    SELECT due.unit_id, due.due_date, min(ledger_reports.as_of_date) AS first_report_date,
           count(ledger_reports.submission_id) AS submissions
    FROM due
    JOIN ledger_reports
        ON ledger_reports.unit_id = due.unit_id
       AND in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)
    GROUP BY due.unit_id, due.due_date
), ledger_report_nodes AS (
    SELECT
        due.unit_id, due.unit_name, due.sort_order, due.due_date, due.win_start, due.win_end,
        window_reports.first_report_date, coalesce(window_reports.submissions, 0) AS submissions
    FROM due
    LEFT JOIN window_reports ON window_reports.unit_id = due.unit_id AND window_reports.due_date = due.due_date
), final AS (
    SELECT
        unit_id, unit_name, sort_order, due_date, win_end AS grace_end, first_report_date, submissions,
        CASE
            WHEN submissions > 0 THEN '按时报送'
            WHEN win_end < CAST($as_of AS DATE) THEN '未按时报送'
            ELSE '待报送'
        END AS report_status
    FROM ledger_report_nodes
)
SELECT * EXCLUDE (sort_order) FROM final
ORDER BY sort_order, unit_id, due_date
