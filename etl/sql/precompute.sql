-- 预计算：建库最后（views.sql、derive_relapse.sql 之后）把页面反复要算的东西算好存成表，
-- 页面查询只筛选这些小表。口径不变：宏的输出与 views.sql 里的定义逐行相同（tests/test_precomputed.py 核对）。
-- 可重复执行：同样的数据再执行一次结果相同（测试对旧库执行它来比较）；它只从 views.sql 的 …_computed 宏和原始表计算，
-- 不读自己存的表（tests/test_precompute_rerun.py）。

-- problem_periods：每行快照作为该问题“最新一期”的有效期 [as_of_date, valid_to)，valid_to = 该问题下一期快照的日期。
-- 排序与 latest_snapshots 的窗口相同（日期，再同日 submission_id）；同日被更晚报送顶替的行有效期为空，不存。
DELETE FROM problem_periods;
INSERT INTO problem_periods
SELECT * FROM (
    SELECT *,
        coalesce(lead(as_of_date) OVER (PARTITION BY campaign_id, unit_id, problem_id
                                        ORDER BY as_of_date ASC NULLS FIRST, submission_id ASC NULLS FIRST),
                 DATE '9999-12-31') AS valid_to
    FROM ledger_snapshots
    WHERE as_of_date IS NOT NULL
)
WHERE valid_to > as_of_date
-- 页面按“as_of_date <= 统计日 < valid_to”取行：先按 valid_to 存放，区段统计（zone map）能跳过已失效的整段行
ORDER BY campaign_id, valid_to, as_of_date, unit_id, problem_id, submission_id;

-- 截至 as_of 的最新一期 = 有效期含 as_of 的那一行（views.sql 里是对全部快照开窗）。
CREATE OR REPLACE MACRO latest_snapshots(cid, as_of) AS TABLE
SELECT * EXCLUDE (valid_to)
FROM problem_periods
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE) AND valid_to > CAST(as_of AS DATE);

-- 截至 as_of 的每行快照及其有效期止：下一期晚于 as_of 时视为没有下一期（9999-12-31），与 views.sql 相同；
-- 有效期为空的行（同日被顶替）不在内，它们本来就连接不到任何快照日期。
CREATE OR REPLACE MACRO snapshots_with_validity(cid, as_of, unit_list) AS TABLE
SELECT * EXCLUDE (valid_to),
    CASE WHEN valid_to > CAST(as_of AS DATE) THEN DATE '9999-12-31' ELSE valid_to END AS valid_until
FROM problem_periods
WHERE campaign_id = cid AND as_of_date <= CAST(as_of AS DATE)
  AND (len(unit_list) = 0 OR list_contains(unit_list, unit_id));

-- repeat_complainant_keys：views.sql 的 repeat_complainant_candidates 对每个专项整治的结果（全部线索中同一摘要有
-- 2 件及以上的投诉人，每个单位、摘要一行），宏改为读表。
DELETE FROM repeat_complainant_keys;
INSERT INTO repeat_complainant_keys
SELECT candidates.*
FROM (SELECT DISTINCT campaign_id FROM leads) AS campaign,
     repeat_complainant_candidates_computed(campaign.campaign_id) AS candidates
ORDER BY ALL;

CREATE OR REPLACE MACRO repeat_complainant_candidates(cid) AS TABLE
SELECT * FROM repeat_complainant_keys WHERE campaign_id = cid;

-- repeat_complainant_leads：候选摘要的线索（大库 100 万条线索中约十分之一），重复投诉人的查询只读这些，按 leads_as_of 的
-- 受理日期与侧栏筛选（leads_summary.sql、leads_repeat_complainants.sql；tests/test_precomputed.py 核对）。
DELETE FROM repeat_complainant_leads;
INSERT INTO repeat_complainant_leads
SELECT leads.campaign_id, leads.unit_id, leads.lead_id, leads.complainant_key, leads.category, leads.channel,
       leads.received_date, leads.assigned_date, leads.complainant_masked, leads.phone_masked
FROM leads
SEMI JOIN repeat_complainant_keys AS candidate
       ON candidate.campaign_id = leads.campaign_id AND candidate.unit_id IS NOT DISTINCT FROM leads.unit_id
      AND candidate.complainant_key = leads.complainant_key
ORDER BY ALL;

-- survey_response_scores：views.sql 的 response_scores 对每个专项整治的结果（每份问卷一行），宏改为读表。
DELETE FROM survey_response_scores;
INSERT INTO survey_response_scores
SELECT scores.*
FROM (SELECT DISTINCT campaign_id FROM survey_responses) AS campaign,
     response_scores_computed(campaign.campaign_id) AS scores
ORDER BY ALL;

CREATE OR REPLACE MACRO response_scores(cid) AS TABLE
SELECT * FROM survey_response_scores WHERE campaign_id = cid;

-- survey_unit_year_scores：每个测评年度、单位的问卷份数、答题数、有分的题数、分数合计（从上面每份问卷一行的表
-- 加起来；satisfaction_years.sql、satisfaction_yoy.sql 读它，tests/test_precomputed.py 与逐份计算核对）。
DELETE FROM survey_unit_year_scores;
INSERT INTO survey_unit_year_scores
SELECT campaign_id, survey_year, unit_id, count(DISTINCT response_id) AS responses,
       CAST(sum(answers) AS BIGINT) AS answers, CAST(sum(scored) AS BIGINT) AS scored,
       CAST(sum(total) AS BIGINT) AS total
FROM survey_response_scores
GROUP BY campaign_id, survey_year, unit_id
ORDER BY ALL;

-- survey_dimension_scores：每个测评年度、单位、维度的答题数、有分数的答题数、分数合计（满意度维度热力图，
-- satisfaction_dimensions.sql 不再扫全部答案；tests/test_precomputed.py 与逐题计算核对）。
DELETE FROM survey_dimension_scores;
INSERT INTO survey_dimension_scores
SELECT campaign_id, survey_year, unit_id, dimension,
       count(*) AS answers, count(score) AS scored, CAST(sum(score) AS BIGINT) AS score_sum
FROM survey_responses
GROUP BY campaign_id, survey_year, unit_id, dimension
ORDER BY ALL;

-- lead_unit_periods：每个单位的线索计数（leads_as_of 的口径标志）随统计日变化的每一段：统计日在 [as_of_date, valid_to)
-- 内时，该单位截至统计日的受理、交办、办结……件数就是这一行（leads_by_unit.sql 等不按问题方面、来源筛选时读它，
-- 不再逐件扫线索；tests/test_precomputed.py 与逐件计算核对）。每件线索从某一天起计入某个计数（受理日与该事件日期
-- 中较晚的那天），此后一直计入；只有超期未办结是一段时间：期限次日（且已受理）起，到办结日止（不含）。
CREATE OR REPLACE TEMP MACRO lead_event(on_date, received, keyed, assigned, concluded, on_time, found, with_finding,
                                      fed_back, on_time_due, overdue_open) AS
    {'on_date': on_date, 'received': received, 'keyed': keyed, 'assigned': assigned, 'concluded': concluded,
     'on_time': on_time, 'found': found, 'with_finding': with_finding, 'fed_back': fed_back,
     'on_time_due': on_time_due, 'overdue_open': overdue_open};
DELETE FROM lead_unit_periods;
INSERT INTO lead_unit_periods
WITH dated AS (         -- leads_as_of：受理日期为空时按交办日期；两者都空的线索从不计入
    SELECT *, coalesce(received_date, assigned_date) AS received_from
    FROM leads
    WHERE coalesce(received_date, assigned_date) IS NOT NULL
), lead_starts AS (     -- 每件线索计入各计数的起始日（Trap：greatest 跳过 NULL，所以先判断日期是否为空）
    SELECT campaign_id, unit_id, received_from,
        CASE WHEN assigned_date IS NOT NULL THEN greatest(received_from, assigned_date) END AS assigned_from,
        CASE WHEN concluded_date IS NOT NULL THEN greatest(received_from, concluded_date) END AS concluded_from,
        CASE WHEN concluded_date IS NOT NULL AND feedback_date IS NOT NULL
             THEN greatest(received_from, concluded_date, feedback_date) END AS fed_back_from,
        CASE WHEN due_date IS NOT NULL THEN greatest(received_from, due_date + 1) END AS past_due_from,
        concluded_date,
        CAST(coalesce(concluded_date <= due_date, on_time, false) AS INTEGER) AS on_time,   -- 办结时是否按时
        CAST(coalesce(finding_is_found(finding), false) AS INTEGER) AS found,              -- 办结时是否属实
        CAST(finding IS NOT NULL AS INTEGER) AS with_finding,
        CAST(complainant_key IS NOT NULL AS INTEGER) AS keyed
    FROM dated
), events AS (          -- 每件线索在各日期的增减（同一天的合在一行）；超期未办结在期限次日 +1、办结日 -1
    -- 逐件展开成列表（不用关联的 VALUES：那是对每件线索的一次连接，全国 100 万件要多花几秒）
    SELECT * FROM (
        SELECT campaign_id, unit_id, unnest([
            --          日期,         受理, 有摘要, 交办, 办结, 按时, 属实, 有结论, 反馈, 按时率分母, 超期未办结
            lead_event(received_from, 1, keyed, 0, 0, 0, 0, 0, 0, 0, 0),
            lead_event(assigned_from, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0),
            lead_event(concluded_from, 0, 0, 0, 1, on_time, found, with_finding, 0, 0, 0),
            lead_event(fed_back_from, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
            lead_event(least(concluded_from, past_due_from), 0, 0, 0, 0, 0, 0, 0, 0, 1, 0),  -- 已办结，或期限已过
            lead_event(CASE WHEN concluded_date IS NULL OR concluded_date > past_due_from THEN past_due_from END,
                       0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
            lead_event(CASE WHEN concluded_date > past_due_from THEN concluded_date END, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1)
        ], recursive := true)
        FROM lead_starts
    )
    WHERE on_date IS NOT NULL
), day_changes AS (
    SELECT campaign_id, unit_id, on_date,
        sum(received) AS received, sum(assigned) AS assigned, sum(concluded) AS concluded, sum(on_time) AS on_time,
        sum(on_time_due) AS on_time_due, sum(fed_back) AS fed_back, sum(found) AS found,
        sum(with_finding) AS with_finding, sum(keyed) AS keyed, sum(overdue_open) AS overdue_open
    FROM events
    GROUP BY campaign_id, unit_id, on_date
)
SELECT campaign_id, unit_id, on_date AS as_of_date,
    coalesce(lead(on_date) OVER running, DATE '9999-12-31') AS valid_to,
    CAST(sum(received) OVER running AS BIGINT) AS received,
    CAST(sum(assigned) OVER running AS BIGINT) AS assigned,
    CAST(sum(concluded) OVER running AS BIGINT) AS concluded,
    CAST(sum(on_time) OVER running AS BIGINT) AS on_time,
    CAST(sum(on_time_due) OVER running AS BIGINT) AS on_time_due,
    CAST(sum(fed_back) OVER running AS BIGINT) AS fed_back,
    CAST(sum(found) OVER running AS BIGINT) AS found,
    CAST(sum(with_finding) OVER running AS BIGINT) AS with_finding,
    CAST(sum(keyed) OVER running AS BIGINT) AS keyed,
    CAST(sum(overdue_open) OVER running AS BIGINT) AS overdue_open
FROM day_changes
WINDOW running AS (PARTITION BY campaign_id, unit_id ORDER BY on_date ROWS UNBOUNDED PRECEDING)
ORDER BY campaign_id, valid_to, unit_id, as_of_date;  -- 同 problem_periods：按 valid_to 存放

-- lead_overdue_spans：曾经超期未办结的线索（约四分之一）及其超期未办结的一段：统计日在 [overdue_from, overdue_to) 内时
-- is_overdue_open（已受理、期限已过——期限次日起、未办结——办结日前）。超期清单和各单位超期件数只扫这些
-- （leads_overdue_open.sql、leads_overdue_by_unit.sql；tests/test_precomputed.py 与 leads_as_of 核对）。
DELETE FROM lead_overdue_spans;
INSERT INTO lead_overdue_spans
SELECT * FROM (
    SELECT *,
        greatest(coalesce(received_date, assigned_date), due_date + 1) AS overdue_from,
        coalesce(concluded_date, DATE '9999-12-31') AS overdue_to
    FROM leads
    WHERE coalesce(received_date, assigned_date) IS NOT NULL AND due_date IS NOT NULL
)
WHERE overdue_to > overdue_from
ORDER BY campaign_id, overdue_from, lead_id;
