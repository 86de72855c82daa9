-- 县区进度：每个单位截至统计日的问题、线索、台账报送情况（滞后评分在 analytics/lagging.py 里算）。
-- 每类计数都从单位列表左连接起算，没有数据的单位计 0。宏与口径标志见 etl/sql/views.sql。
WITH units_in_scope AS (
    SELECT unit_id, name AS unit_name, kind, sort_order
    FROM units
    WHERE campaign_id = $campaign_id
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), problems AS (        -- 截至统计日每个问题的最新一期，按侧栏筛选
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), problem_counts AS (
    SELECT
        units_in_scope.unit_id,
        count(problems.problem_id) AS problems,
        count(*) FILTER (WHERE problems.is_rectified) AS rectified,
        count(*) FILTER (WHERE problems.is_closed) AS closed,
        count(*) FILTER (WHERE problems.is_done) AS done,
        count(*) FILTER (WHERE problems.is_open) AS open_problems,
        count(*) FILTER (WHERE problems.is_overdue) AS overdue,
        count(*) FILTER (WHERE problems.is_relapse) AS relapse,
        count(*) FILTER (WHERE problems.is_self_inspection) AS self_inspection,
        max(problems.as_of_date) AS last_snapshot
    FROM units_in_scope
    LEFT JOIN problems USING (unit_id)
    GROUP BY units_in_scope.unit_id
), lead_unit_counts AS (  -- 单位列表已由 units_in_scope 限定。不按问题方面、来源筛选时读预计算的各单位计数
    SELECT unit_id, received, concluded, on_time, on_time_due, fed_back, overdue_open   -- （lead_unit_periods，
    FROM lead_unit_periods                                                              --  etl/sql/precompute.sql）
    WHERE len($categories) = 0 AND len($channels) = 0
      AND campaign_id = $campaign_id AND as_of_date <= CAST($as_of AS DATE) AND valid_to > CAST($as_of AS DATE)
    UNION ALL           -- 否则逐件计算；两者结果相同（tests/test_precomputed.py）
    SELECT
        unit_id,
        count(*),
        count(*) FILTER (WHERE is_concluded),
        count(*) FILTER (WHERE is_on_time),
        count(*) FILTER (WHERE is_on_time_due),
        count(*) FILTER (WHERE is_fed_back),
        count(*) FILTER (WHERE is_overdue_open)
    FROM leads_as_of($campaign_id, $as_of, [], $categories, $channels)
    WHERE len($categories) > 0 OR len($channels) > 0
       OR NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)   -- 未经建库的库（测试夹具）：预计算表为空，逐件计算
    GROUP BY unit_id
), lead_counts AS (     -- 没有线索的单位计 0
    SELECT
        units_in_scope.unit_id,
        coalesce(lead_unit_counts.received, 0) AS leads_received,
        coalesce(lead_unit_counts.concluded, 0) AS leads_concluded,
        coalesce(lead_unit_counts.on_time, 0) AS leads_ontime,
        coalesce(lead_unit_counts.on_time_due, 0) AS leads_ontime_den,
        coalesce(lead_unit_counts.fed_back, 0) AS leads_feedback,
        coalesce(lead_unit_counts.overdue_open, 0) AS leads_open_overdue
    FROM units_in_scope
    LEFT JOIN lead_unit_counts USING (unit_id)
), ledger_reports AS (
    SELECT unit_id, as_of_date FROM ledger_reports_as_of($campaign_id, $as_of)
), ledger_report_nodes AS (   -- 单位 × 已到的报送节点：窗口内是否有报送，窗口是否已过
    SELECT
        due.unit_id,
        due.due_date,
        EXISTS (
            SELECT 1 FROM ledger_reports
            WHERE ledger_reports.unit_id = due.unit_id
              AND in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)
        ) AS reported,
        due.win_end < CAST($as_of AS DATE) AS window_closed
    FROM ledger_reports_due($campaign_id, $as_of, $units) AS due
), ledger_report_counts AS (
    SELECT
        units_in_scope.unit_id,
        count(ledger_report_nodes.due_date) AS reports_due,
        count(*) FILTER (WHERE ledger_report_nodes.reported) AS reports_ontime,
        count(*) FILTER (WHERE NOT ledger_report_nodes.reported AND ledger_report_nodes.window_closed) AS reports_missed,
        count(*) FILTER (WHERE NOT ledger_report_nodes.reported AND NOT ledger_report_nodes.window_closed)
            AS reports_pending
    FROM units_in_scope
    LEFT JOIN ledger_report_nodes USING (unit_id)
    GROUP BY units_in_scope.unit_id
), final AS (
    SELECT
        units_in_scope.*,
        problem_counts.* EXCLUDE (unit_id),
        lead_counts.* EXCLUDE (unit_id),
        ledger_report_counts.* EXCLUDE (unit_id)
    FROM units_in_scope
    JOIN problem_counts USING (unit_id)
    JOIN lead_counts USING (unit_id)
    JOIN ledger_report_counts USING (unit_id)
)
SELECT * FROM final
ORDER BY sort_order, unit_id
