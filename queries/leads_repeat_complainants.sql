-- 重复投诉人：截至统计日同一投诉人（按加盐摘要 complainant_key 归并，不可还原）反映 2 件及以上线索。
-- 只输出脱敏的姓名和电话，不输出摘要本身。
-- 先找出 2 件及以上的摘要（绝大多数投诉人只有 1 件），只对这些投诉人的线索排序（SEMI JOIN）；
-- 按件数、最近受理日期、首件线索编号排出名次后取前 $limit 位（NULL = 全部），再对这些人做字符串聚合。
-- 脱敏姓名/电话取该投诉人最近一件线索上的非空值（按受理日期、线索编号取最大），结果确定、可复现。
WITH l AS NOT MATERIALIZED (
    SELECT lead_id, unit_id, category, complainant_key, complainant_masked, phone_masked,
           coalesce(received_date, assigned_date) AS recv
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE complainant_key IS NOT NULL
), k AS (
    SELECT complainant_key
    FROM l
    GROUP BY complainant_key
    HAVING count(*) >= 2
), r AS MATERIALIZED (
    SELECT l.*
    FROM l
    SEMI JOIN k ON l.complainant_key = k.complainant_key
), o AS (                -- 名次：件数多、最近受理晚、首件线索编号小的在前（与 lead_ids 的字符串顺序一致）
    SELECT
        complainant_key,
        row_number() OVER (ORDER BY count(*) DESC, max(recv) DESC, arg_min(lead_id, (recv, lead_id))) AS seq
    FROM r
    GROUP BY complainant_key
    QUALIFY $limit IS NULL OR seq <= $limit
), g AS (
    SELECT
        o.seq,
        arg_max(r.complainant_masked, (r.recv, r.lead_id)) FILTER (WHERE r.complainant_masked IS NOT NULL)
            AS complainant_masked,
        arg_max(r.phone_masked, (r.recv, r.lead_id)) FILTER (WHERE r.phone_masked IS NOT NULL) AS phone_masked,
        count(*) AS leads,
        count(DISTINCT r.unit_id) AS units_involved,
        string_agg(DISTINCT coalesce(u.name, r.unit_id), '、' ORDER BY coalesce(u.name, r.unit_id)) AS unit_names,
        string_agg(DISTINCT r.category, '、' ORDER BY r.category) AS categories,
        min(r.recv) AS first_received,
        max(r.recv) AS last_received,
        string_agg(r.lead_id, '、' ORDER BY r.recv, r.lead_id) AS lead_ids
    FROM r
    JOIN o ON o.complainant_key = r.complainant_key
    LEFT JOIN units u ON u.campaign_id = $campaign_id AND u.unit_id = r.unit_id
    GROUP BY o.seq
)
SELECT seq, complainant_masked, phone_masked, leads, units_involved, unit_names, categories,
       first_received, last_received, lead_ids
FROM g
ORDER BY seq
