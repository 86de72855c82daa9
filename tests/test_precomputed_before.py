"""The query files precomputing rewrote, as they were before (commit a78b631~1; leads_by_unit, kpi_overview and
unit_progress as they were at 9347172, before lead_unit_periods; satisfaction_dimensions at 80a32ea,
leads_overdue_open and leads_overdue_by_unit at ce13c74, ledger_report_punctuality,
ledger_report_grid and drill_problems at 3d40c88): tests/test_precomputed.py runs
these on the reference database (windows over every snapshot, every complainant key counted) and the
rewritten files on the precomputed one, so a rewrite is checked against the old text, not against itself.
No tests here."""

BEFORE = {
    "completion_trend": """\
-- 整改进度趋势：每个快照日期（≤ 统计日）按“截至该日”口径的问题数、整改率、逾期、反弹
WITH problems_by_date AS (   -- 每个快照日期 × 问题的最新一期，口径标志按该日期（宏见 etl/sql/views.sql）
    SELECT * FROM filtered_problems_by_date($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    snap_date,
    count(*) AS problems,
    count(*) FILTER (WHERE is_done) AS done,
    count(*) FILTER (WHERE is_closed) AS closed,
    count(*) FILTER (WHERE is_overdue) AS overdue,
    count(*) FILTER (WHERE is_relapse) AS relapse,
    count(*) FILTER (WHERE is_done) / count(*) AS completion,
    count(*) FILTER (WHERE is_closed) / count(*) AS closure
FROM problems_by_date
GROUP BY snap_date
ORDER BY snap_date
""",
    "snapshot_dates": """\
-- 统计日选项（“期”）：每个台账报送节点截止后（截止日 + 宽限天数）为一期。
-- 最新数据晚于某期截止、又早于下一个报送节点时（迟报的台账、新登记的线索），该期的统计日顺延到最新数据日。
-- 各单位报送日期不一，按期而非按单个报送日比较，“较上期”才有意义。
-- 填报时间晚于今天或晚于专项整治结束一年（多为年份笔误）的报送不参与定期：不会把默认统计日推到将来。
WITH plausible AS (
    SELECT least(current_date, CAST(end_date + INTERVAL 1 YEAR AS DATE)) AS latest_allowed
    FROM campaigns WHERE campaign_id = $campaign_id
),
latest AS (          -- 最新数据日：台账或线索登记表最近一次的填报时间
    SELECT (SELECT min(as_of_date) FROM ledger_snapshots, plausible
             WHERE campaign_id = $campaign_id AND as_of_date <= latest_allowed) AS first_date,
           (SELECT max(as_of_date) FROM submissions, plausible
             WHERE campaign_id = $campaign_id AND kind IN ('ledger', 'leads') AND rows_loaded > 0
               AND as_of_date <= latest_allowed) AS latest_date
),
closes AS (          -- 报送节点窗口（宏见 etl/sql/views.sql）；最后一个节点的 next_due 为 9999-12-31
    SELECT win_end AS close_date, next_due FROM ledger_report_windows($campaign_id)
),
periods AS (
    SELECT CASE WHEN latest.latest_date > closes.close_date AND latest.latest_date < closes.next_due
                THEN latest.latest_date ELSE closes.close_date END AS as_of_date
    FROM closes, latest
    WHERE closes.close_date <= latest.latest_date AND closes.close_date >= latest.first_date
    UNION
    SELECT latest_date FROM latest WHERE latest_date IS NOT NULL
)
SELECT periods.as_of_date,
       count(DISTINCT snapshot.unit_id) AS units_reporting,
       count(DISTINCT snapshot.problem_id) AS problems
FROM periods
LEFT JOIN ledger_snapshots AS snapshot
       ON snapshot.campaign_id = $campaign_id AND snapshot.as_of_date <= periods.as_of_date
GROUP BY periods.as_of_date
ORDER BY periods.as_of_date
""",
    "leads_summary": """\
-- 线索办理概况：截至统计日的办理漏斗（受理 → 交办 → 办结 → 已反馈）、按时办结、超期未办结、属实率、重复投诉人
-- 口径与 kpi_overview.sql / unit_progress.sql 一致（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), complainants AS (    -- 重复投诉人：同一加盐摘要（complainant_key）有 2 件及以上线索
    SELECT complainant_key, count(*) AS n
    FROM leads
    WHERE complainant_key IS NOT NULL
    GROUP BY complainant_key
)
SELECT
    count(*) AS received,
    count(*) FILTER (WHERE is_assigned) AS assigned,
    count(*) FILTER (WHERE is_concluded) AS concluded,
    count(*) FILTER (WHERE is_fed_back) AS fed_back,
    count(*) FILTER (WHERE is_on_time) AS leads_ontime,
    count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
    count(*) FILTER (WHERE is_overdue_open) AS open_overdue,
    count(*) FILTER (WHERE NOT is_concluded) AS open_leads,
    count(*) FILTER (WHERE is_found) AS found,
    count(*) FILTER (WHERE has_finding) AS with_finding,
    count(*) FILTER (WHERE complainant_key IS NOT NULL) AS keyed_leads,
    (SELECT count(*) FROM complainants WHERE n >= 2) AS repeat_complainants,
    (SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM complainants WHERE n >= 2) AS repeat_leads
FROM leads
""",
    "leads_repeat_complainants": """\
-- 重复投诉人：截至统计日同一投诉人（按加盐摘要 complainant_key 归并，不可还原）反映 2 件及以上线索。
-- 只输出脱敏的姓名和电话，不输出摘要本身。
-- 先找出 2 件及以上的摘要（绝大多数投诉人只有 1 件），只对这些投诉人的线索排序（SEMI JOIN）；
-- 按件数、最近受理日期、首件线索编号排出名次后取前 $limit 位（NULL = 全部），再对这些人做字符串聚合。
-- 脱敏姓名/电话取该投诉人最近一件线索上的非空值（按受理日期、线索编号取最大），结果确定、可复现。
WITH keyed_leads AS NOT MATERIALIZED (
    SELECT lead_id, unit_id, category, complainant_key, complainant_masked, phone_masked,
           coalesce(received_date, assigned_date) AS recv
    FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
    WHERE complainant_key IS NOT NULL
), repeat_keys AS (
    SELECT complainant_key
    FROM keyed_leads
    GROUP BY complainant_key
    HAVING count(*) >= 2
), repeat_leads AS MATERIALIZED (
    SELECT keyed_leads.*
    FROM keyed_leads
    SEMI JOIN repeat_keys ON keyed_leads.complainant_key = repeat_keys.complainant_key
), ranked_keys AS (     -- 名次：件数多、最近受理晚、首件线索编号小的在前（与 lead_ids 的字符串顺序一致）
    SELECT
        complainant_key,
        row_number() OVER (ORDER BY count(*) DESC, max(recv) DESC, arg_min(lead_id, (recv, lead_id))) AS seq
    FROM repeat_leads
    GROUP BY complainant_key
    QUALIFY $limit IS NULL OR seq <= $limit
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
""",
    "satisfaction_overview": """\
-- 满意度：统计日所在年度及以前各测评年度的总体得分，最近年度在前。
-- 逐份问卷部分：全部题目平均分 × 20。该年度还有只在满意度汇总表（survey_unit_scores）里的单位时，
-- 总体得分 = 问卷部分得分与各汇总表单位得分（无得分时用满意率）按份数/样本量加权平均；未填样本量的汇总表单位
-- 不计入（全年都没有样本量时取这些单位得分的简单平均）。responses 含汇总表样本量，summary_units 为汇总表单位数。
WITH responses AS (
    SELECT *
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), response_years AS (
    SELECT survey_year, count(DISTINCT response_id) AS responses, count(*) AS answers, avg(score) * 20 AS score
    FROM responses
    GROUP BY survey_year
), summary_scores AS (
    SELECT survey_year, score_or_rate AS score, sample_size
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
), summary_years AS (
    SELECT
        survey_year,
        count(*) AS summary_units,
        CAST(coalesce(sum(sample_size), 0) AS BIGINT) AS sample,
        sum(score * sample_size) AS weighted,
        avg(score) AS plain
    FROM summary_scores
    GROUP BY survey_year
), years AS (
    SELECT
        survey_year,
        coalesce(response_years.responses, 0) + coalesce(summary_years.sample, 0) AS responses,
        coalesce(response_years.answers, 0) AS answers,
        CASE
            WHEN summary_years.survey_year IS NULL THEN response_years.score
            WHEN coalesce(response_years.responses, 0) + summary_years.sample > 0
                THEN (coalesce(response_years.score * response_years.responses, 0) + coalesce(summary_years.weighted, 0))
                     / (coalesce(response_years.responses, 0) + summary_years.sample)
            ELSE summary_years.plain
        END AS score,
        coalesce(summary_years.summary_units, 0) AS summary_units
    FROM response_years
    FULL JOIN summary_years USING (survey_year)
)
SELECT survey_year, responses, answers, score / 20 AS mean_score, score, summary_units
FROM years
ORDER BY survey_year DESC
""",
    "satisfaction_years": """\
-- 满意度测评年度：统计日所在年度及以前有测评数据的年度，各年度问卷份数与被测评单位数（最近年度在前）。
-- 满意度汇总表（survey_unit_scores）中该年度没有逐份问卷的单位也算：份数加上其样本量，summary_units 为其单位数。
WITH responses AS (
    SELECT survey_year, unit_id, response_id
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), summary_scores AS (
    SELECT survey_year, unit_id, sample_size
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
), response_years AS (
    SELECT survey_year, count(DISTINCT (unit_id, response_id)) AS responses, count(DISTINCT unit_id) AS units
    FROM responses
    GROUP BY survey_year
), summary_years AS (
    SELECT survey_year, CAST(coalesce(sum(sample_size), 0) AS BIGINT) AS responses, count(*) AS units
    FROM summary_scores
    GROUP BY survey_year
)
SELECT
    survey_year,
    coalesce(response_years.responses, 0) + coalesce(summary_years.responses, 0) AS responses,
    coalesce(response_years.units, 0) + coalesce(summary_years.units, 0) AS units,
    coalesce(summary_years.units, 0) AS summary_units
FROM response_years
FULL JOIN summary_years USING (survey_year)
ORDER BY survey_year DESC
""",
    "satisfaction_yoy": """\
-- 满意度逐年对比：统计日所在年度及以前每个测评年度 × 单位 的得分、问卷份数，以及与上一测评年度相比的变化（分）。
-- 某单位某年度没有逐份问卷时用满意度汇总表（survey_unit_scores）：得分（无得分时用满意率），份数取样本量（可为空），
-- source = '汇总表'。
WITH unit_years AS (
    SELECT
        survey_year,
        unit_id,
        count(DISTINCT response_id) AS respondents,
        avg(score) * 20 AS score,
        '问卷' AS source
    FROM survey_responses
    WHERE campaign_id = $campaign_id
      AND survey_year <= year(CAST($as_of AS DATE))
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
    GROUP BY survey_year, unit_id
    UNION ALL
    SELECT survey_year, unit_id, sample_size, score_or_rate, '汇总表'
    FROM summary_only_scores($campaign_id, year(CAST($as_of AS DATE)), $units)
)
SELECT
    unit_years.survey_year,
    unit_years.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    unit_years.respondents,
    unit_years.score,
    lag(unit_years.survey_year) OVER unit_history AS prev_year,
    lag(unit_years.score) OVER unit_history AS prev_score,
    unit_years.score - lag(unit_years.score) OVER unit_history AS change,
    unit_years.source
FROM unit_years
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = unit_years.unit_id
WINDOW unit_history AS (PARTITION BY unit_years.unit_id ORDER BY unit_years.survey_year)
ORDER BY unit_years.survey_year, sort_order
""",
    "satisfaction_ranking": """\
-- 满意度排名：某测评年度各单位的满意度得分（全部题目平均分 × 20）、样本量（问卷份数）和 95% 置信区间。
-- 置信区间：每份问卷先求各维度平均分，按问卷平均分的标准差作正态近似：得分 ± 1.96 × 标准差 ÷ √份数 × 20。
-- 问卷少于 campaigns.survey_min_responses 份的单位为“样本不足”，不参与排名；
-- “满意度低”：可排名单位中得分低于 survey_low_score_below，或排名倒数 survey_low_rank_bottom 位。
-- 排名在该年度全部被测评单位中计算，$units 只决定显示哪些单位。
-- 该年度没有逐份问卷、只有满意度汇总表（survey_unit_scores）的单位也参加排名：得分取汇总表的得分，
-- 没有得分时以满意率（0–100）作得分；样本量取汇总表的样本量，同样按 survey_min_responses 判定，
-- 未填样本量的不排名；没有逐份答案，不计置信区间（source = '汇总表'）。
WITH thresholds AS (
    SELECT
        survey_low_score_below AS low_below,
        survey_low_rank_bottom AS low_bottom,
        survey_min_responses AS min_responses
    FROM campaigns
    WHERE campaign_id = $campaign_id
), response_means AS (  -- 每份问卷：各维度平均分
    SELECT unit_id, response_id, avg(score) AS resp_mean, count(*) AS answers, sum(score) AS total
    FROM survey_responses
    WHERE campaign_id = $campaign_id AND survey_year = $survey_year
    GROUP BY unit_id, response_id
), unit_responses AS (
    SELECT
        unit_id,
        count(*) AS respondents,
        sum(answers) AS answers,
        sum(total) / sum(answers) AS mean_score,
        stddev_samp(resp_mean) AS sd_resp
    FROM response_means
    GROUP BY unit_id
), summary_units AS (    -- 汇总表：该年度没有逐份问卷的单位
    SELECT
        unit_id,
        sample_size AS respondents,
        score_or_rate AS score,
        satisfaction_rate,
        score IS NULL AS rate_as_score
    FROM summary_only_scores($campaign_id, $survey_year, [])   -- 宏见 etl/sql/views.sql
    WHERE survey_year = $survey_year
), unit_scores AS (
    SELECT unit_id, respondents, answers, mean_score, mean_score * 20 AS score,
           1.96 * sd_resp / sqrt(respondents) * 20 AS ci_half,
           '问卷' AS source, CAST(NULL AS DOUBLE) AS satisfaction_rate, false AS rate_as_score
    FROM unit_responses
    UNION ALL
    SELECT unit_id, respondents, NULL, score / 20, score, NULL, '汇总表', satisfaction_rate, rate_as_score
    FROM summary_units
), rankable_scores AS (
    SELECT
        unit_scores.*,
        coalesce(unit_scores.respondents, 0) >= coalesce(thresholds.min_responses, 0) AS rankable,
        thresholds.low_below, thresholds.low_bottom, thresholds.min_responses
    FROM unit_scores
    CROSS JOIN thresholds
), ranked AS (
    SELECT
        rankable_scores.*,
        CASE WHEN rankable THEN rank() OVER (PARTITION BY rankable ORDER BY score DESC) END AS rank,
        count(*) FILTER (WHERE rankable) OVER () AS n_rankable
    FROM rankable_scores
), flagged AS (
    SELECT
        ranked.*,
        rankable AND score < low_below AS low_by_score,
        rankable AND n_rankable > low_bottom AND rank > n_rankable - low_bottom AS low_by_rank
    FROM ranked
)
SELECT
    flagged.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    flagged.respondents,
    flagged.answers,
    flagged.mean_score,
    flagged.score,
    flagged.ci_half,
    CASE WHEN flagged.ci_half IS NOT NULL THEN greatest(flagged.score - flagged.ci_half, 20) END AS ci_low,
    CASE WHEN flagged.ci_half IS NOT NULL THEN least(flagged.score + flagged.ci_half, 100) END AS ci_high,
    flagged.rankable,
    flagged.rank,
    flagged.n_rankable,
    flagged.min_responses,
    flagged.low_by_score OR flagged.low_by_rank AS is_low,
    CASE
        WHEN NOT flagged.rankable AND flagged.respondents IS NULL THEN '汇总表未填样本量，不排名'
        WHEN NOT flagged.rankable THEN '样本不足（' || flagged.respondents || '份，少于' || flagged.min_responses || '份），不排名'
        ELSE concat_ws('；',
            CASE WHEN flagged.low_by_score THEN '得分' || printf('%.1f', flagged.score) || '分，低于' || printf('%g', flagged.low_below) || '分' END,
            CASE WHEN flagged.low_by_rank THEN '排名倒数第' || (flagged.n_rankable - flagged.rank + 1) || '位（共' || flagged.n_rankable || '个可排名单位）' END)
    END AS low_reason,
    flagged.source,
    flagged.satisfaction_rate,
    CASE WHEN flagged.source = '汇总表' THEN
        '来自汇总表' || CASE WHEN flagged.rate_as_score THEN '，以满意率作得分' ELSE '' END || '（无逐份问卷，无置信区间）'
    END AS source_note
FROM flagged
LEFT JOIN units ON units.campaign_id = $campaign_id AND units.unit_id = flagged.unit_id
WHERE len($units) = 0 OR flagged.unit_id IN (SELECT unnest($units))
ORDER BY flagged.rankable DESC, flagged.rank, flagged.score DESC, sort_order
""",
    "leads_by_unit": """\
-- 各单位线索办理：截至统计日受理、办结、按时办结（工作日规则）、反馈、超期未办结、属实情况（口径标志见 etl/sql/views.sql）
WITH leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
)
SELECT
    leads.unit_id,
    coalesce(units.name, leads.unit_id) AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    count(*) AS received,
    count(*) FILTER (WHERE leads.is_concluded) AS concluded,
    count(*) FILTER (WHERE leads.is_on_time) AS leads_ontime,
    count(*) FILTER (WHERE leads.is_on_time_due) AS leads_ontime_den,
    count(*) FILTER (WHERE leads.is_fed_back) AS fed_back,
    count(*) FILTER (WHERE leads.is_overdue_open) AS open_overdue,
    count(*) FILTER (WHERE leads.is_found) AS found,
    count(*) FILTER (WHERE leads.has_finding) AS with_finding
FROM leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
GROUP BY ALL
ORDER BY sort_order, leads.unit_id
""",
    "kpi_overview": """\
-- 总览关键指标：截至统计日 $as_of 的问题与线索计数（口径标志见 etl/sql/views.sql，指标见 dashboard/metrics.py）
WITH problems AS (      -- 每个问题取统计日前最新一期快照，按侧栏筛选
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels)
), problem_counts AS (
    SELECT
        count(*) AS problems,
        count(*) FILTER (WHERE is_rectified) AS rectified,
        count(*) FILTER (WHERE is_closed) AS closed,
        count(*) FILTER (WHERE is_done) AS done,
        count(*) FILTER (WHERE is_open) AS open_problems,
        count(*) FILTER (WHERE is_long_term) AS long_term,
        count(*) FILTER (WHERE is_overdue) AS overdue,
        count(*) FILTER (WHERE is_relapse) AS relapse,
        count(DISTINCT unit_id) AS units_with_problems
    FROM problems
), lead_counts AS (
    SELECT
        count(*) AS leads_received,
        count(*) FILTER (WHERE is_assigned) AS leads_assigned,
        count(*) FILTER (WHERE is_concluded) AS leads_concluded,
        count(*) FILTER (WHERE is_on_time) AS leads_ontime,
        count(*) FILTER (WHERE is_on_time_due) AS leads_ontime_den,
        count(*) FILTER (WHERE is_fed_back) AS leads_feedback,
        count(*) FILTER (WHERE is_found) AS leads_found,
        count(*) FILTER (WHERE has_finding) AS leads_with_finding,
        count(*) FILTER (WHERE is_overdue_open) AS leads_open_overdue
    FROM leads
)
SELECT problem_counts.*, lead_counts.*
FROM problem_counts, lead_counts
""",
    "unit_progress": """\
-- 县区进度：每个单位截至统计日的问题、线索、台账报送情况（滞后评分在 analytics/lagging.py 里算）。
-- 每类计数都从单位列表左连接起算，没有数据的单位计 0。宏与口径标志见 etl/sql/views.sql。
WITH units_in_scope AS (
    SELECT unit_id, name AS unit_name, kind, sort_order
    FROM units
    WHERE campaign_id = $campaign_id
      AND (len($units) = 0 OR unit_id IN (SELECT unnest($units)))
), problems AS (        -- 截至统计日每个问题的最新一期，按侧栏筛选
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), problem_counts AS (
    SELECT
        units_in_scope.unit_id,
        count(problems.problem_id) AS problems,
        count(*) FILTER (WHERE problems.is_rectified) AS rectified,
        count(*) FILTER (WHERE problems.is_closed) AS closed,
        count(*) FILTER (WHERE problems.is_done) AS done,
        count(*) FILTER (WHERE problems.is_open) AS open_problems,
        count(*) FILTER (WHERE problems.is_overdue) AS overdue,
        count(*) FILTER (WHERE problems.is_relapse) AS relapse,
        count(*) FILTER (WHERE problems.is_self_inspection) AS self_inspection,
        max(problems.as_of_date) AS last_snapshot
    FROM units_in_scope
    LEFT JOIN problems USING (unit_id)
    GROUP BY units_in_scope.unit_id
), leads AS (           -- 单位列表已由 units_in_scope 限定
    SELECT * FROM leads_as_of($campaign_id, $as_of, [], $categories, $channels)
), lead_counts AS (
    SELECT
        units_in_scope.unit_id,
        count(leads.lead_id) AS leads_received,
        count(*) FILTER (WHERE leads.is_concluded) AS leads_concluded,
        count(*) FILTER (WHERE leads.is_on_time) AS leads_ontime,
        count(*) FILTER (WHERE leads.is_on_time_due) AS leads_ontime_den,
        count(*) FILTER (WHERE leads.is_fed_back) AS leads_feedback,
        count(*) FILTER (WHERE leads.is_overdue_open) AS leads_open_overdue
    FROM units_in_scope
    LEFT JOIN leads USING (unit_id)
    GROUP BY units_in_scope.unit_id
), ledger_reports AS (
    SELECT unit_id, as_of_date FROM ledger_reports_as_of($campaign_id, $as_of)
), ledger_report_nodes AS (   -- 单位 × 已到的报送节点：窗口内是否有报送，窗口是否已过
    SELECT
        due.unit_id,
        due.due_date,
        EXISTS (
            SELECT 1 FROM ledger_reports
            WHERE ledger_reports.unit_id = due.unit_id
              AND in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)
        ) AS reported,
        due.win_end < CAST($as_of AS DATE) AS window_closed
    FROM ledger_reports_due($campaign_id, $as_of, $units) AS due
), ledger_report_counts AS (
    SELECT
        units_in_scope.unit_id,
        count(ledger_report_nodes.due_date) AS reports_due,
        count(*) FILTER (WHERE ledger_report_nodes.reported) AS reports_ontime,
        count(*) FILTER (WHERE NOT ledger_report_nodes.reported AND ledger_report_nodes.window_closed) AS reports_missed,
        count(*) FILTER (WHERE NOT ledger_report_nodes.reported AND NOT ledger_report_nodes.window_closed)
            AS reports_pending
    FROM units_in_scope
    LEFT JOIN ledger_report_nodes USING (unit_id)
    GROUP BY units_in_scope.unit_id
), final AS (
    SELECT
        units_in_scope.*,
        problem_counts.* EXCLUDE (unit_id),
        lead_counts.* EXCLUDE (unit_id),
        ledger_report_counts.* EXCLUDE (unit_id)
    FROM units_in_scope
    JOIN problem_counts USING (unit_id)
    JOIN lead_counts USING (unit_id)
    JOIN ledger_report_counts USING (unit_id)
)
SELECT * FROM final
ORDER BY sort_order, unit_id
""",
    "satisfaction_dimensions": """\
-- 满意度维度：某测评年度 单位 × 维度 的得分（该维度平均分 × 20）与作答份数
SELECT
    responses.unit_id,
    units.name AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    responses.dimension,
    count(*) AS respondents,
    avg(responses.score) AS mean_score,
    avg(responses.score) * 20 AS score
FROM survey_responses AS responses
LEFT JOIN units ON units.campaign_id = responses.campaign_id AND units.unit_id = responses.unit_id
WHERE responses.campaign_id = $campaign_id
  AND responses.survey_year = $survey_year
  AND (len($units) = 0 OR responses.unit_id IN (SELECT unnest($units)))
GROUP BY ALL
ORDER BY sort_order, responses.dimension
""",
    "leads_overdue_open": """\
-- 超期未办结线索：截至统计日未办结、办理期限（交办后第 N 个工作日）已过的线索（只含脱敏字段）
-- 超期工作日数由页面用 etl.normalize.workdays.working_days_between(due_date, 统计日) 计算（含调休）。
-- 按办理期限由早到晚（即超期由长到短）、线索编号排列；$limit 为 NULL 时返回全部（下载完整清单），
-- 页面表格只取最前面的若干件。各单位件数见 leads_overdue_by_unit.sql。
SELECT
    leads.lead_id,
    coalesce(units.name, leads.unit_id) AS unit_name,
    leads.channel,
    leads.category,
    leads.summary,
    leads.received_date,
    leads.assigned_date,
    leads.due_date,
    leads.due_date_provisional,
    leads.complainant_masked,
    leads.phone_masked
FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) AS leads
LEFT JOIN units ON units.campaign_id = leads.campaign_id AND units.unit_id = leads.unit_id
WHERE leads.is_overdue_open
ORDER BY leads.due_date, leads.lead_id
LIMIT $limit
""",
    "leads_overdue_by_unit": """\
-- 各单位超期未办结线索：截至统计日未办结、办理期限已过的线索件数，最早的办理期限（页面据此算最长超期工作日），
-- 是否有按周一至周五推算的期限。口径（is_overdue_open，见 etl/sql/views.sql）与 leads_overdue_open.sql、
-- leads_summary.sql 的 open_overdue 相同。
WITH overdue_leads AS (
    SELECT * FROM leads_as_of($campaign_id, $as_of, $units, $categories, $channels) WHERE is_overdue_open
)
SELECT
    overdue_leads.unit_id,
    coalesce(units.name, overdue_leads.unit_id) AS unit_name,
    coalesce(units.sort_order, 999) AS sort_order,
    count(*) AS leads,
    min(overdue_leads.due_date) AS oldest_due,
    coalesce(bool_or(overdue_leads.due_date_provisional), false) AS any_provisional
FROM overdue_leads
LEFT JOIN units ON units.campaign_id = overdue_leads.campaign_id AND units.unit_id = overdue_leads.unit_id
GROUP BY ALL
ORDER BY leads DESC, oldest_due, sort_order, overdue_leads.unit_id
""",
    "ledger_report_punctuality": """\
-- 台账报送情况：每个单位 × 每个已到的报送节点，窗口（上一节点+宽限, 本节点+宽限] 内是否有报送。宏见 etl/sql/views.sql。
WITH ledger_reports AS (
    SELECT unit_id, as_of_date, submission_id FROM ledger_reports_as_of($campaign_id, $as_of)
), ledger_report_nodes AS (
    SELECT
        due.unit_id, due.unit_name, due.sort_order, due.due_date, due.win_start, due.win_end,
        min(ledger_reports.as_of_date) AS first_report_date,
        count(ledger_reports.submission_id) AS submissions
    FROM ledger_reports_due($campaign_id, $as_of, $units) AS due
    LEFT JOIN ledger_reports
        ON ledger_reports.unit_id = due.unit_id
       AND in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)
    GROUP BY ALL
), final AS (
    SELECT
        unit_id, unit_name, sort_order, due_date, win_end AS grace_end, first_report_date, submissions,
        CASE
            WHEN submissions > 0 THEN '按时报送'
            WHEN win_end < CAST($as_of AS DATE) THEN '未按时报送'
            ELSE '待报送'
        END AS report_status
    FROM ledger_report_nodes
)
SELECT * EXCLUDE (sort_order) FROM final
ORDER BY sort_order, unit_id, due_date
""",
    "ledger_report_grid": """\
-- 台账报送按节点：每个单位 × 每个已到的报送节点（report_due_dates，不晚于统计日）的报送情况
--   按时：本节点窗口（上一节点 + 宽限天数 之后，至 本节点 + 宽限天数）内有台账报送；
--   迟报：窗口内没有，但在下一个报送节点之前（最后一个节点：统计日之前）补报了；
--   未报：到下一个报送节点（或统计日）仍没有报送；
--   待报：本节点宽限期尚未结束。
-- “按时”与 unit_progress.sql 的 reports_ontime 一致；迟报 + 未报 = 其 reports_missed。宏见 etl/sql/views.sql。
WITH ledger_reports AS (
    SELECT DISTINCT unit_id, as_of_date FROM ledger_reports_as_of($campaign_id, $as_of)
), ledger_report_nodes AS (
    SELECT
        due.unit_id, due.unit_name, due.sort_order, due.due_date, due.win_start, due.win_end, due.next_due,
        min(ledger_reports.as_of_date) FILTER (
            WHERE in_report_window(ledger_reports.as_of_date, due.win_start, due.win_end)) AS ontime_date,
        min(ledger_reports.as_of_date) FILTER (
            WHERE ledger_reports.as_of_date > due.win_end AND ledger_reports.as_of_date < due.next_due) AS late_date
    FROM ledger_reports_due($campaign_id, $as_of, $units) AS due
    LEFT JOIN ledger_reports ON ledger_reports.unit_id = due.unit_id
    GROUP BY ALL
), final AS (
    SELECT
        unit_id,
        unit_name,
        sort_order,
        due_date,
        win_end AS grace_end,
        coalesce(ontime_date, late_date) AS report_date,
        CASE
            WHEN ontime_date IS NOT NULL THEN '按时'
            WHEN late_date IS NOT NULL THEN '迟报'
            WHEN win_end >= CAST($as_of AS DATE) THEN '待报'
            ELSE '未报'
        END AS report_status,
        CASE WHEN ontime_date IS NULL AND late_date IS NOT NULL THEN late_date - win_end END AS days_late
    FROM ledger_report_nodes
)
SELECT * FROM final
ORDER BY sort_order, unit_id, due_date
""",
    "drill_problems": """\
-- 下钻：一个数字背后的问题清单（总览指标卡、县区进度的柱、问题热点的格子、滞后单位）。
-- 与 kpi_overview.sql / unit_progress.sql / hotspot_matrix.sql 同一口径：filtered_problems 的最新一期和它的 is_* 标志
-- （etl/sql/views.sql），不另写状态取值。$measure 选哪一个计数：
--   problems 全部 | done 已整改+已销号 | rectified 已整改 | closed 已销号 | open 未整改+整改中
--   long_term 长期推进 | overdue 逾期 | relapse 反弹；其他取值没有行。
-- 再按下钻选择缩小（空列表 / '' = 不限）：$sel_units 单位，$sel_category 问题方面（'未分类' = 方面为空，同热点图），
-- $sel_manifestation 表现形式编码，$sel_channel 问题来源；$only_overdue 只看逾期。
-- $limit：只取排在最前的若干行（NULL = 全部）；listed_total 为不限行数时的行数（大库“全部问题”有十万行，
-- 页面只显示前若干行并注明共多少行）。
WITH problems AS (
    SELECT * FROM filtered_problems($campaign_id, $as_of, $units, $categories, $channels)
), picked AS (
    SELECT *
    FROM problems
    WHERE CASE $measure
            WHEN 'problems' THEN true
            WHEN 'done' THEN is_done
            WHEN 'rectified' THEN is_rectified
            WHEN 'closed' THEN is_closed
            WHEN 'open' THEN is_open
            WHEN 'long_term' THEN is_long_term
            WHEN 'overdue' THEN is_overdue
            WHEN 'relapse' THEN is_relapse
            ELSE false
          END
      AND (len($sel_units) = 0 OR list_contains($sel_units, unit_id))
      AND ($sel_category = '' OR coalesce(category, '未分类') = $sel_category)
      AND ($sel_manifestation = '' OR manifestation_code = $sel_manifestation)
      AND ($sel_channel = '' OR source_channel = $sel_channel)
      AND (NOT $only_overdue OR is_overdue)
)
SELECT  -- 状态、整改时限、是否逾期在前
    coalesce(units.name, picked.unit_id) AS unit_name, picked.serial_no, picked.status, picked.deadline,
    picked.is_overdue, picked.category, picked.manifestation_code, picked.manifestation, picked.case_text,
    picked.source_channel, picked.measure, picked.deadline_kind,
    picked.is_done, picked.is_closed, picked.is_relapse,
    picked.as_of_date AS last_reported, picked.problem_id, picked.unit_id,
    count(*) OVER () AS listed_total
FROM picked
LEFT JOIN units ON units.campaign_id = picked.campaign_id AND units.unit_id = picked.unit_id
ORDER BY picked.is_overdue DESC, coalesce(units.sort_order, 999), picked.unit_id,
         TRY_CAST(picked.serial_no AS INTEGER) NULLS LAST, picked.serial_no, picked.problem_id
LIMIT $limit
""",
}
