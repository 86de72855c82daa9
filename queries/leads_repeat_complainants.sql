-- 重复投诉人：截至统计日同一投诉人（按加盐摘要 complainant_key 归并，不可还原）反映 2 件及以上线索。
-- 只输出脱敏的姓名和电话，不输出摘要本身。
-- 按摘要分组一次：2 件及以上的摘要（绝大多数投诉人只有 1 件）按件数、最近受理日期、首件线索编号排出名次，
-- 取前 $limit 位（NULL = 全部），再只对这些人的线索（SEMI JOIN）做字符串聚合。
-- 脱敏姓名/电话取该投诉人最近一件线索上的非空值（按受理日期、线索编号取最大），结果确定、可复现。
-- 只看候选摘要（全部线索中有 2 件及以上的）的线索：建库时存在 repeat_complainant_leads（etl/sql/precompute.sql），
-- 按 leads_as_of 的口径（受理日期为空时按交办日期，侧栏筛选）选行，再按统计日与筛选重新计数。
-- 预计算的表（etl/sql/precompute.sql）只在建库时写入；没有经过建库的库（测试夹具）里它们是空的，此时
-- lead_unit_periods 没有这个专项整治的行，查询改为逐件计算（NOT EXISTS 只查一次，不会扫线索）。
WITH keyed_leads AS NOT MATERIALIZED (
    SELECT lead_id, unit_id, category, complainant_key, complainant_masked, phone_masked,
           coalesce(received_date, assigned_date) AS recv
    FROM repeat_complainant_leads
    WHERE campaign_id = $campaign_id AND coalesce(received_date, assigned_date) <= CAST($as_of AS DATE)
      AND sidebar_match(unit_id, category, channel, $units, $categories, $channels)
    UNION ALL
    SELECT lead_id, unit_id, category, complainant_key, complainant_masked, phone_masked,
           coalesce(received_date, assigned_date) AS recv
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) AS leads
    SEMI JOIN (SELECT * FROM repeat_complainant_candidates($campaign_id)   -- 未经建库时才有行：线索不必扫
               WHERE NOT EXISTS (SELECT 1 FROM lead_unit_periods WHERE campaign_id = $campaign_id)) AS candidate
           ON candidate.campaign_id = leads.campaign_id AND candidate.unit_id IS NOT DISTINCT FROM leads.unit_id
          AND candidate.complainant_key = leads.complainant_key
), ranked_keys AS (     -- 2 件及以上的摘要排出名次：件数多、最近受理晚、首件线索编号小的在前（与 lead_ids 的字符串
    SELECT                -- 顺序一致），取前 $limit 位；只对这些人的线索做下面的字符串聚合
        complainant_key,
        row_number() OVER (ORDER BY count(*) DESC, max(recv) DESC, arg_min(lead_id, (recv, lead_id))) AS seq
    FROM keyed_leads
    GROUP BY complainant_key
    HAVING count(*) >= 2
    QUALIFY $limit IS NULL OR seq <= $limit
), repeat_leads AS (
    SELECT keyed_leads.*
    FROM keyed_leads
    SEMI JOIN ranked_keys ON keyed_leads.complainant_key = ranked_keys.complainant_key
), complainants AS (
    SELECT
        ranked_keys.seq,
        arg_max(repeat_leads.complainant_masked, (repeat_leads.recv, repeat_leads.lead_id))
            FILTER (WHERE repeat_leads.complainant_masked IS NOT NULL) AS complainant_masked,
        arg_max(repeat_leads.phone_masked, (repeat_leads.recv, repeat_leads.lead_id))
            FILTER (WHERE repeat_leads.phone_masked IS NOT NULL) AS phone_masked,
        count(*) AS leads,
        count(DISTINCT repeat_leads.unit_id) AS units_involved,
        string_agg(DISTINCT coalesce(units.name, repeat_leads.unit_id), '、'
                   ORDER BY coalesce(units.name, repeat_leads.unit_id)) AS unit_names,
        string_agg(DISTINCT repeat_leads.category, '、' ORDER BY repeat_leads.category) AS categories,
        min(repeat_leads.recv) AS first_received,
        max(repeat_leads.recv) AS last_received,
        string_agg(repeat_leads.lead_id, '、' ORDER BY repeat_leads.recv, repeat_leads.lead_id) AS lead_ids
    FROM repeat_leads
    JOIN ranked_keys ON ranked_keys.complainant_key = repeat_leads.complainant_key
    LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = repeat_leads.unit_id
    GROUP BY ranked_keys.seq
)
SELECT seq, complainant_masked, phone_masked, leads, units_involved, unit_names, categories,
       first_received, last_received, lead_ids
FROM complainants
ORDER BY seq
