-- 报送记录：某专项整治全部已导入的文件/工作表，按单位和填报时间排列（测评表不分单位）
SELECT
    s.submission_id,
    coalesce(u.name, s.unit_id, '（全部单位）') AS unit_name,
    CASE s.kind WHEN 'ledger' THEN '整改台账' WHEN 'leads' THEN '问题线索' WHEN 'survey' THEN '满意度测评'
                ELSE '无法识别' END AS kind_label,
    s.as_of_date,
    s.as_of_source,
    s.file_name,
    s.sheet_name,
    s.rows_read,
    s.rows_loaded,
    s.rows_rejected
FROM submissions s
LEFT JOIN units u ON u.campaign_id = s.campaign_id AND u.unit_id = s.unit_id
WHERE s.campaign_id = $campaign_id
  AND (len($units) = 0 OR s.unit_id IS NULL OR s.unit_id IN (SELECT unnest($units)))
ORDER BY coalesce(u.sort_order, 999), s.unit_id, s.kind, s.as_of_date, s.file_name, s.sheet_name
