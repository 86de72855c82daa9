-- 某单位各问题在历次快照中的状态（同日多次报送取最后一次）
SELECT problem_id,
    arg_max(serial_no, as_of_date) OVER (PARTITION BY problem_id) AS serial_no,
    as_of_date, status, progress_text
FROM ledger_snapshots
WHERE campaign_id = $campaign_id AND unit_id = $unit_id AND as_of_date <= CAST($as_of AS DATE)
  AND (len($categories) = 0 OR category IN (SELECT unnest($categories)))
  AND (len($channels) = 0 OR source_channel IN (SELECT unnest($channels)))
QUALIFY row_number() OVER (PARTITION BY problem_id, as_of_date ORDER BY submission_id DESC) = 1
ORDER BY problem_id, as_of_date
