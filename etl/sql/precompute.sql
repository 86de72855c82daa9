-- 预计算：建库最后（views.sql、derive_relapse.sql 之后）把页面反复要算的东西算好存成表，
-- 页面查询只筛选这些小表。口径不变：宏的输出与 views.sql 里的定义逐行相同（tests/test_precomputed.py 核对）。
-- 可重复执行：同样的数据再执行一次结果相同（测试对旧库执行它来比较）。

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
ORDER BY ALL;

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
     repeat_complainant_candidates(campaign.campaign_id) AS candidates
ORDER BY ALL;

CREATE OR REPLACE MACRO repeat_complainant_candidates(cid) AS TABLE
SELECT * FROM repeat_complainant_keys WHERE campaign_id = cid;

-- survey_response_scores：views.sql 的 response_scores 对每个专项整治的结果（每份问卷一行），宏改为读表。
DELETE FROM survey_response_scores;
INSERT INTO survey_response_scores
SELECT scores.*
FROM (SELECT DISTINCT campaign_id FROM survey_responses) AS campaign,
     response_scores(campaign.campaign_id) AS scores
ORDER BY ALL;

CREATE OR REPLACE MACRO response_scores(cid) AS TABLE
SELECT * FROM survey_response_scores WHERE campaign_id = cid;
