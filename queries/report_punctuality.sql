-- 台账报送情况：每个单位 × 每个已到的报送节点，窗口（上一节点+宽限, 本节点+宽限] 内是否有报送
WITH u AS (
    SELECT unit_id, name, sort_order
    FROM units
    WHERE campaign_id = $campaign_id
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), win AS (             -- 报送节点窗口（宏见 etl/sql/views.sql）
    SELECT * FROM report_windows($campaign_id)
), ls AS (
    SELECT unit_id, as_of_date, submission_id, file_name
    FROM submissions
    WHERE campaign_id = $campaign_id AND kind = 'ledger' AND as_of_date <= CAST($as_of AS DATE)
), m AS (
    SELECT
        u.unit_id, u.name AS unit_name, u.sort_order, w.due_date, w.win_start, w.win_end,
        min(ls.as_of_date) AS first_report_date,
        count(ls.submission_id) AS submissions
    FROM u
    CROSS JOIN win w
    LEFT JOIN ls
        ON ls.unit_id = u.unit_id
       AND (w.win_start IS NULL OR ls.as_of_date > w.win_start)
       AND ls.as_of_date <= w.win_end
    WHERE w.due_date <= CAST($as_of AS DATE)
    GROUP BY ALL
)
SELECT
    unit_id, unit_name, due_date, win_end AS grace_end, first_report_date, submissions,
    CASE
        WHEN submissions > 0 THEN '按时报送'
        WHEN win_end < CAST($as_of AS DATE) THEN '未按时报送'
        ELSE '待报送'
    END AS report_status
FROM m
ORDER BY sort_order, unit_id, due_date
