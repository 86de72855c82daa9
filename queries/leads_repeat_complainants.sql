-- 重复投诉人：截至统计日同一投诉人（按加盐摘要 complainant_key 归并，不可还原）反映 2 件及以上线索。
-- 只输出脱敏的姓名和电话，不输出摘要本身。
WITH l AS (
    SELECT l.*, coalesce(u.name, l.unit_id) AS unit_name
    FROM leads l
    LEFT JOIN units u ON u.campaign_id = l.campaign_id AND u.unit_id = l.unit_id
    WHERE l.campaign_id = $campaign_id
      AND coalesce(l.received_date, l.assigned_date) <= CAST($as_of AS DATE)
      AND l.complainant_key IS NOT NULL
      AND (len($units) = 0 OR l.unit_id IN (SELECT unnest($units)))
      AND (len($categories) = 0 OR l.category IN (SELECT unnest($categories)))
      AND (len($channels) = 0 OR l.channel IN (SELECT unnest($channels)))
), g AS (
    SELECT
        complainant_key,
        mode(complainant_masked) AS complainant_masked,
        mode(phone_masked) AS phone_masked,
        count(*) AS leads,
        count(DISTINCT unit_id) AS units_involved,
        string_agg(DISTINCT unit_name, '、' ORDER BY unit_name) AS unit_names,
        string_agg(DISTINCT category, '、' ORDER BY category) AS categories,
        min(coalesce(received_date, assigned_date)) AS first_received,
        max(coalesce(received_date, assigned_date)) AS last_received,
        string_agg(lead_id, '、' ORDER BY coalesce(received_date, assigned_date), lead_id) AS lead_ids
    FROM l
    GROUP BY complainant_key
    HAVING count(*) >= 2
)
SELECT
    row_number() OVER (ORDER BY leads DESC, last_received DESC, lead_ids) AS seq,
    complainant_masked, phone_masked, leads, units_involved, unit_names, categories,
    first_received, last_received, lead_ids
FROM g
ORDER BY seq
