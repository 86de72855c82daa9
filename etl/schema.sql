-- 数据库结构：由 ETL 从各单位报送文件派生，不手工修改。
CREATE TABLE campaigns (
    campaign_id VARCHAR PRIMARY KEY,
    name VARCHAR, short_name VARCHAR, doc_number VARCHAR, issuer VARCHAR, office VARCHAR,
    region_label VARCHAR, start_date DATE, end_date DATE,
    lead_working_days INTEGER, min_items INTEGER,
    survey_low_score_below DOUBLE, survey_low_rank_bottom INTEGER, survey_min_responses INTEGER,
    weekly_report_weekday INTEGER, monthly_brief_day INTEGER, grace_days INTEGER,
    compare_with VARCHAR  -- “上期”规则：weekly（上一个周报日）| report_period（上一个台账报送期）
);
CREATE TABLE stages (
    campaign_id VARCHAR, stage_no INTEGER, name VARCHAR, start_date DATE, deadline DATE, long_term BOOLEAN
);
CREATE TABLE report_due_dates (campaign_id VARCHAR, due_date DATE);
CREATE TABLE units (
    campaign_id VARCHAR, unit_id VARCHAR, name VARCHAR, kind VARCHAR, sort_order INTEGER
);
CREATE TABLE categories (
    campaign_id VARCHAR, category VARCHAR, category_no INTEGER,
    manifestation_code VARCHAR, manifestation VARCHAR
);
CREATE TABLE submissions (
    submission_id VARCHAR PRIMARY KEY,
    campaign_id VARCHAR, file_name VARCHAR, sheet_name VARCHAR, kind VARCHAR,
    unit_id VARCHAR, as_of_date DATE, as_of_source VARCHAR, file_sha256 VARCHAR,
    rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER,
    columns_ignored VARCHAR,  -- header texts of columns not imported (never stored), 、-separated
    mapping_profile VARCHAR   -- name of the import profile (导入方案) applied, if any
);
CREATE TABLE ledger_snapshots (
    campaign_id VARCHAR, unit_id VARCHAR, problem_id VARCHAR, as_of_date DATE,
    serial_no VARCHAR, category VARCHAR, manifestation_code VARCHAR, manifestation VARCHAR,
    case_text VARCHAR, source_channel VARCHAR, measure VARCHAR,
    deadline DATE, deadline_kind VARCHAR, responsible VARCHAR,
    status VARCHAR, progress_text VARCHAR, completed_date DATE,
    is_relapse BOOLEAN, relapse_basis VARCHAR, relapse_of VARCHAR,
    submission_id VARCHAR, source_row INTEGER
);
-- 预先算好的（etl/sql/precompute.sql 在建库最后填入，由 ledger_snapshots 推导，不是输入）：每行快照作为该问题
-- “最新一期”的有效期 [as_of_date, valid_to)。同日被更晚报送顶替的行不在内；最后一期 valid_to = 9999-12-31。
CREATE TABLE problem_periods AS SELECT *, CAST(NULL AS DATE) AS valid_to FROM ledger_snapshots LIMIT 0;
CREATE TABLE leads (
    campaign_id VARCHAR, lead_id VARCHAR, unit_id VARCHAR, channel VARCHAR,
    received_date DATE, assigned_date DATE, due_date DATE, due_date_provisional BOOLEAN,
    concluded_date DATE, on_time BOOLEAN, feedback_date DATE,
    finding VARCHAR, category VARCHAR, summary VARCHAR,
    complainant_masked VARCHAR, phone_masked VARCHAR, complainant_key VARCHAR,
    handling_status VARCHAR, given_due_date DATE, visit_satisfaction VARCHAR,
    submission_id VARCHAR, source_row INTEGER
);
-- 预先算好的（etl/sql/precompute.sql）：全部线索中有 2 件及以上的投诉人摘要，每个单位、摘要一行（重复投诉人的候选）。
CREATE TABLE repeat_complainant_keys (campaign_id VARCHAR, unit_id VARCHAR, complainant_key VARCHAR);
-- 预先算好的（etl/sql/precompute.sql）：曾经超期未办结的线索（全部列），及其超期未办结的一段 [overdue_from, overdue_to)。
CREATE TABLE lead_overdue_spans AS
SELECT *, CAST(NULL AS DATE) AS overdue_from, CAST(NULL AS DATE) AS overdue_to FROM leads LIMIT 0;
-- 预先算好的（etl/sql/precompute.sql）：上面这些候选摘要的线索（重复投诉人统计只读它们，不再扫全部线索）。
CREATE TABLE repeat_complainant_leads (
    campaign_id VARCHAR, unit_id VARCHAR, lead_id VARCHAR, complainant_key VARCHAR, category VARCHAR,
    channel VARCHAR, received_date DATE, assigned_date DATE, complainant_masked VARCHAR, phone_masked VARCHAR
);
-- 预先算好的（etl/sql/precompute.sql）：每个单位的线索计数随统计日变化的每一段 [as_of_date, valid_to)，
-- 口径同 leads_as_of 的标志（受理、交办、办结、按时办结、按时率分母、反馈、属实、有结论、有投诉人摘要、超期未办结）。
CREATE TABLE lead_unit_periods (
    campaign_id VARCHAR, unit_id VARCHAR, as_of_date DATE, valid_to DATE,
    received BIGINT, assigned BIGINT, concluded BIGINT, on_time BIGINT, on_time_due BIGINT, fed_back BIGINT,
    found BIGINT, with_finding BIGINT, keyed BIGINT, overdue_open BIGINT
);
CREATE TABLE survey_responses (
    campaign_id VARCHAR, survey_year INTEGER, unit_id VARCHAR, response_id VARCHAR,
    respondent_type VARCHAR, dimension VARCHAR, score INTEGER,
    submission_id VARCHAR, source_row INTEGER
);
-- 预先算好的（etl/sql/precompute.sql）：每份问卷一行的题数、有分题数、总分、平均分（views.sql 的 response_scores）。
CREATE TABLE survey_response_scores (
    campaign_id VARCHAR, survey_year INTEGER, unit_id VARCHAR, response_id VARCHAR,
    answers BIGINT, scored BIGINT, total BIGINT, resp_mean DOUBLE
);
-- 预先算好的（etl/sql/precompute.sql）：每个测评年度、单位的问卷份数（不同问卷编号）、答题数、有分的题数、分数合计。
CREATE TABLE survey_unit_year_scores (
    campaign_id VARCHAR, survey_year INTEGER, unit_id VARCHAR,
    responses BIGINT, answers BIGINT, scored BIGINT, total BIGINT
);
-- 预先算好的（etl/sql/precompute.sql）：单位 × 维度的答题数、有分数的答题数、分数合计（satisfaction_dimensions.sql）。
CREATE TABLE survey_dimension_scores (
    campaign_id VARCHAR, survey_year INTEGER, unit_id VARCHAR, dimension VARCHAR,
    answers BIGINT, scored BIGINT, score_sum BIGINT
);
CREATE TABLE load_errors (
    campaign_id VARCHAR, submission_id VARCHAR, file_name VARCHAR, sheet_name VARCHAR,
    source_row INTEGER, column_name VARCHAR, raw_value VARCHAR, message VARCHAR, severity VARCHAR
);
CREATE TABLE build_info (key VARCHAR, value VARCHAR);
-- 因与别的行重复而未导入的行（其错误见 load_errors），及按哪一行计入；库就地更新时据此判断删掉一个文件后是否有行要补回。
CREATE TABLE duplicate_rows (
    campaign_id VARCHAR, table_name VARCHAR, submission_id VARCHAR, source_row INTEGER,
    kept_submission_id VARCHAR, kept_row INTEGER
);
CREATE TABLE survey_unit_scores (
    campaign_id VARCHAR, survey_year INTEGER, unit_id VARCHAR,
    satisfaction_rate DOUBLE, score DOUBLE, sample_size INTEGER,
    submission_id VARCHAR, source_row INTEGER
);
