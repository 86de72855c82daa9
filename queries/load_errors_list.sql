-- 导入问题记录：某专项整治导入时拒绝的行（错误）和个别字段留空的行（警告），按文件、行号排列
SELECT
    e.severity,
    e.file_name,
    e.sheet_name,
    e.source_row,
    e.column_name,
    e.raw_value,
    e.message,
    coalesce(u.name, s.unit_id) AS unit_name
FROM load_errors e
LEFT JOIN submissions s ON s.submission_id = e.submission_id
LEFT JOIN units u ON u.campaign_id = s.campaign_id AND u.unit_id = s.unit_id
WHERE e.campaign_id = $campaign_id
ORDER BY CASE WHEN e.severity IN ('错误', 'error') THEN 0 ELSE 1 END, e.file_name, e.sheet_name, e.source_row
