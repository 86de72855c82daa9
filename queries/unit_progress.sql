-- 县区进度：每个单位截至统计日的问题、线索、报送情况（滞后评分在 dashboard/metrics.py 里算）
WITH p AS (             -- 截至统计日每个问题的最新一期，按侧栏筛选（宏见 etl/sql/views.sql）；单位列表以下面的 u 为准
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), u AS (
    SELECT unit_id, name, kind, sort_order
    FROM units
    WHERE campaign_id = $campaign_id
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), pk AS (
    SELECT
        unit_id,
        count(*) AS problems,
        count(*) FILTER (WHERE status = '已整改') AS rectified,
        count(*) FILTER (WHERE status = '已销号') AS closed,
        count(*) FILTER (WHERE status IN ('已整改', '已销号')) AS done,
        count(*) FILTER (WHERE status IN ('未整改', '整改中')) AS open_problems,
        count(*) FILTER (WHERE deadline_kind = 'date' AND deadline < CAST($as_of AS DATE)
                           AND status IN ('未整改', '整改中')) AS overdue,
        count(*) FILTER (WHERE is_relapse) AS relapse,
        count(*) FILTER (WHERE source_channel = '自查自纠') AS self_inspection,
        max(as_of_date) AS last_snapshot
    FROM p
    GROUP BY unit_id
), l AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, [], $categories, $channels)
), lk AS (
    SELECT
        unit_id,
        count(*) AS leads_received,
        count(*) FILTER (WHERE is_concluded) AS leads_concluded,
        count(*) FILTER (WHERE is_concluded AND coalesce(concluded_date <= due_date, on_time, false)) AS leads_ontime,
        count(*) FILTER (WHERE is_concluded OR due_date < CAST($as_of AS DATE)) AS leads_ontime_den,
        count(*) FILTER (WHERE is_concluded AND feedback_date <= CAST($as_of AS DATE)) AS leads_feedback,
        count(*) FILTER (WHERE NOT is_concluded AND due_date < CAST($as_of AS DATE)) AS leads_open_overdue
    FROM l
    GROUP BY unit_id
), win AS (             -- 报送节点窗口（宏见 etl/sql/views.sql）
    SELECT * FROM report_windows($campaign_id)
), ls AS (
    SELECT DISTINCT unit_id, as_of_date
    FROM submissions
    WHERE campaign_id = $campaign_id AND kind = 'ledger' AND as_of_date <= CAST($as_of AS DATE)
), rep AS (
    SELECT
        u.unit_id,
        w.due_date,
        EXISTS (
            SELECT 1 FROM ls
            WHERE ls.unit_id = u.unit_id
              AND (w.win_start IS NULL OR ls.as_of_date > w.win_start)
              AND ls.as_of_date <= w.win_end
        ) AS reported,
        w.win_end < CAST($as_of AS DATE) AS window_closed
    FROM u
    CROSS JOIN win w
    WHERE w.due_date <= CAST($as_of AS DATE)
), rk AS (
    SELECT
        unit_id,
        count(*) AS reports_due,
        count(*) FILTER (WHERE reported) AS reports_ontime,
        count(*) FILTER (WHERE NOT reported AND window_closed) AS reports_missed,
        count(*) FILTER (WHERE NOT reported AND NOT window_closed) AS reports_pending
    FROM rep
    GROUP BY unit_id
)
SELECT
    u.unit_id,
    u.name AS unit_name,
    u.kind,
    u.sort_order,
    coalesce(pk.problems, 0) AS problems,
    coalesce(pk.rectified, 0) AS rectified,
    coalesce(pk.closed, 0) AS closed,
    coalesce(pk.done, 0) AS done,
    coalesce(pk.open_problems, 0) AS open_problems,
    coalesce(pk.overdue, 0) AS overdue,
    coalesce(pk.relapse, 0) AS relapse,
    coalesce(pk.self_inspection, 0) AS self_inspection,
    pk.last_snapshot,
    coalesce(lk.leads_received, 0) AS leads_received,
    coalesce(lk.leads_concluded, 0) AS leads_concluded,
    coalesce(lk.leads_ontime, 0) AS leads_ontime,
    coalesce(lk.leads_ontime_den, 0) AS leads_ontime_den,
    coalesce(lk.leads_feedback, 0) AS leads_feedback,
    coalesce(lk.leads_open_overdue, 0) AS leads_open_overdue,
    coalesce(rk.reports_due, 0) AS reports_due,
    coalesce(rk.reports_ontime, 0) AS reports_ontime,
    coalesce(rk.reports_missed, 0) AS reports_missed,
    coalesce(rk.reports_pending, 0) AS reports_pending
FROM u
LEFT JOIN pk USING (unit_id)
LEFT JOIN lk USING (unit_id)
LEFT JOIN rk USING (unit_id)
ORDER BY u.sort_order, u.unit_id
