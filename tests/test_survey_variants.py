"""Survey variants (issue 7 §2): option-number answers, 问卷星 提交答卷时间/序号, unit-level summary tables
(survey_unit_scores) and their use on the satisfaction ranking, the year list, the overview and the brief.
Every expected value is computed by hand in the comments."""
from __future__ import annotations

import shutil
from datetime import date
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from dashboard.db import QueryRunner
from etl.collected import Collected
from etl.config import load_campaign
from etl.load import write_database
from etl.normalize.errors import NormalizeError
from etl.normalize.survey_scale import option_order, parse_option_number
from etl.read.model import OPTION_NUMBER
from etl.validate.context import ERROR, WARNING, RowContext, RowRejected, Submission
from etl.validate.dedupe import drop_duplicate_unit_scores
from etl.validate.survey import validate_survey_row
from etl.validate.survey_scores import (
    parse_rate,
    parse_unit_score,
    validate_survey_score_row,
)
from tests.signed_in import app_as

CAMPAIGN = load_campaign("fuyang-2023")
DIMS4 = ["执法规范", "执法态度", "执法效率", "廉洁执法"]


def _sub(sub_id="s1", file_name="满意度测评.xlsx", kind="survey", as_of=None, unit_id=None) -> Submission:
    return Submission(sub_id, CAMPAIGN.id, file_name, "Sheet1", kind, unit_id, as_of, "", "sha")


def _ctx(sub: Submission | None = None) -> RowContext:
    return RowContext(CAMPAIGN, sub or _sub(), {})


def _questionnaire(rid, unit, answers, **extra) -> dict:
    """One row as the reader hands it over for the header
    问卷编号, 被测评单位, 身份类别, 执法规范, 执法态度, 执法效率, 廉洁执法, 总体评价 (总体评价 is no dimension)."""
    v = {"response_id": rid, "unit": unit, "respondent_type": "货车司机", "dim:总体评价": answers[0]}
    v.update({f"dim:{d}": a for d, a in zip(DIMS4, answers, strict=True)})
    v.update(extra)
    return v


def _24_questionnaires() -> list[dict]:
    """3 units × 8 questionnaires, 2023.
    临泉: 4 × (5,5,5,5) + 4 × (4,4,4,4)          → mean 4.5  → 90.0
    太和: 6 × 满意 (4) + 2 × 基本满意 (3) on all four → (6·4+2·3)/8 = 3.75 → 75.0
    颍上: 8 × (5,5,5,2)                           → 17/4 = 4.25 → 85.0"""
    rows = []
    for i in range(8):
        rows.append(_questionnaire(f"LQ{i}", "临泉县交通运输局", [5] * 4 if i < 4 else [4] * 4, survey_year=2023))
        word = "满意" if i < 6 else "基本满意"
        rows.append(_questionnaire(f"TH{i}", "太和县", [word] * 4, survey_year="2023年"))
        rows.append(_questionnaire(f"YS{i}", "颍上县交通运输局", [5, 5, 5, "2"], survey_year=2023.0))
    return rows


# ------------------------------------------------------------------ respondent rows
def test_24_questionnaires_per_unit_means():
    ctx = _ctx()
    records = [r for i, v in enumerate(_24_questionnaires(), 2) for r in validate_survey_row(ctx, i, v)]
    assert len(records) == 24 * 4 and not ctx.errors                # 总体评价 is not stored
    by_unit: dict[str, list[int]] = {}
    for r in records:
        by_unit.setdefault(r["unit_id"], []).append(r["score"])
        assert r["survey_year"] == 2023
    means = {u: sum(s) / len(s) * 20 for u, s in by_unit.items()}
    assert means == {"linquan": 90.0, "taihe": 75.0, "yingshang": 85.0}
    assert len({r["response_id"] for r in records}) == 24


def test_option_numbers_mapped_through_scale_order():
    # fuyang scale in config order: 非常满意=5, 满意=4, 基本满意=3, 不满意=2, 非常不满意=1
    assert option_order(CAMPAIGN.survey.scale) == [5, 4, 3, 2, 1]
    ctx = _ctx()
    ctx.answer_format = OPTION_NUMBER
    v = _questionnaire(1, "临泉县", [1, "2", 5.0, "满意"], survey_year=2023)
    scores = {r["dimension"]: r["score"] for r in validate_survey_row(ctx, 2, v)}
    assert scores == {"执法规范": 5, "执法态度": 4, "执法效率": 1, "廉洁执法": 4}
    # the same numbers in our own template are the score itself
    plain = {r["dimension"]: r["score"] for r in validate_survey_row(_ctx(), 3, v)}
    assert plain == {"执法规范": 1, "执法态度": 2, "执法效率": 5, "廉洁执法": 4}


def test_option_number_out_of_range_rejected_with_re_export_hint():
    ctx = _ctx()
    ctx.answer_format = OPTION_NUMBER
    v = _questionnaire(1, "临泉县", [6, 1, 1, 1], survey_year=2023)
    with pytest.raises(RowRejected):
        validate_survey_row(ctx, 7, v)
    (e,) = ctx.errors
    assert e.severity == ERROR and e.source_row == 7 and e.raw_value == "6"
    assert "选项序号“6”超出范围（本测评共 5 个选项）" in e.message and "按文本" in e.message


def test_option_number_without_a_known_order_is_refused():
    shuffled = {"满意": 4, "非常满意": 5, "基本满意": 3}                     # scores do not run one way
    assert option_order(shuffled) is None
    with pytest.raises(NormalizeError, match="选项顺序无法确定.*按文本"):
        parse_option_number(1, shuffled)
    assert parse_option_number(1, {"非常不满意": 1, "不满意": 2, "满意": 3}) == 1   # ascending is an order too


def test_survey_year_from_column_then_submit_time_then_file_then_submission():
    def year(values, file_name="满意度测评.xlsx", as_of=None):
        ctx = _ctx(_sub(file_name=file_name, as_of=as_of))
        v = _questionnaire("Q1", "临泉县", [5, 5, 5, 5], **values)
        return validate_survey_row(ctx, 2, v)[0]["survey_year"], ctx.errors

    assert year({"survey_year": 2022, "survey_date": "2023/10/12 9:31:05"}, "问卷星_2024.xlsx")[0] == 2022
    assert year({"survey_date": "2023/10/12 9:31:05"}, "问卷星_2024.xlsx")[0] == 2023
    assert year({"survey_date": date(2022, 12, 30)}, "问卷星_2024.xlsx")[0] == 2022
    assert year({}, "问卷星_2024.xlsx")[0] == 2024
    assert year({}, "问卷星导出.xlsx", as_of=date(2021, 5, 6))[0] == 2021
    y, errors = year({"survey_date": "昨天"}, "问卷星_2024.xlsx")
    assert y == 2024 and [e.severity for e in errors] == [WARNING]
    assert "测评年度改按文件名或报送日期确定" in errors[0].message


def test_wjx_serial_numbers_do_not_merge_across_exports():
    a, b = _ctx(_sub("expA")), _ctx(_sub("expB"))
    ids = [validate_survey_row(ctx, 2, _questionnaire(rid, "临泉县", [5] * 4, survey_year=2023))[0]["response_id"]
           for ctx, rid in ((a, 1), (b, 1), (a, 3.0), (a, "2023-LQ-001"))]
    assert ids == ["expA-序号1", "expB-序号1", "expA-序号3", "2023-LQ-001"]


# ------------------------------------------------------------------ unit-level summary tables
@pytest.mark.parametrize("value, percent", [("92.5%", 92.5), (92.5, 92.5), (0.925, 92.5), ("０.８８", 88.0),
                                            (1, 100.0), ("100%", 100.0), ("1%", 1.0)])
def test_parse_rate(value, percent):
    assert parse_rate(value) == pytest.approx(percent)


@pytest.mark.parametrize("value, score", [(4.6, 92.0), ("88.5分", 88.5), (91, 91.0), ("3", 60.0), (5, 100.0)])
def test_parse_unit_score(value, score):
    assert parse_unit_score(value) == pytest.approx(score)


@pytest.mark.parametrize("value", [0, 0.5, 101, "优秀", "92%"])
def test_parse_unit_score_refuses(value):
    with pytest.raises(NormalizeError):
        parse_unit_score(value)


def test_summary_table_of_three_units():
    ctx = _ctx(_sub("sum1", "各单位满意度汇总_2023.xlsx", kind="survey_scores"))
    rows = [
        {"unit": "界首市交通运输局", "satisfaction_rate": "92.5%", "score": 4.6, "sample_size": 120},
        {"unit": "颍州区", "satisfaction_rate": 0.881, "score": None, "sample_size": "85份"},
        {"unit": "颍东区交通运输局", "satisfaction_rate": 95, "score": "91分", "sample_size": 60.0,
         "survey_year": "2022年度"},
    ]
    got = [validate_survey_score_row(ctx, i, v) for i, v in enumerate(rows, 3)]
    assert not ctx.errors
    assert [(g["unit_id"], g["survey_year"], g["satisfaction_rate"], g["score"], g["sample_size"]) for g in got] == [
        ("jieshou", 2023, 92.5, 92.0, 120),
        ("yingzhou", 2023, pytest.approx(88.1), None, 85),
        ("yingdong", 2022, 95.0, 91.0, 60),
    ]
    assert got[0]["submission_id"] == "sum1" and got[0]["source_row"] == 3


def test_summary_rows_rejected_or_warned():
    ctx = _ctx(_sub("sum2", "汇总.xlsx", kind="survey_scores", as_of=date(2023, 11, 2)))
    with pytest.raises(RowRejected):                                   # no unit
        validate_survey_score_row(ctx, 4, {"unit": None, "satisfaction_rate": "90%"})
    with pytest.raises(RowRejected):                                   # neither rate nor score usable
        validate_survey_score_row(ctx, 5, {"unit": "临泉县", "satisfaction_rate": "很高", "sample_size": 30})
    kept = validate_survey_score_row(ctx, 6, {"unit": "太和县", "score": 86, "sample_size": "约50"})
    assert (kept["survey_year"], kept["score"], kept["sample_size"]) == (2023, 86.0, None)   # year from 填报时间
    assert [(e.source_row, e.severity) for e in ctx.errors] == [(4, ERROR), (5, WARNING), (5, ERROR), (6, WARNING)]
    assert ctx.errors[0].message == "缺少被测评单位，本行未导入"
    assert ctx.errors[2].message == "本行没有可用的满意率或得分，未导入"
    assert "样本量“约50”应为正整数" in ctx.errors[3].message and ctx.errors[3].message.endswith("样本量留空")


def test_duplicate_unit_year_in_summaries_reported():
    col = Collected("survey_unit_scores")
    subs = [_sub("a", "汇总_2023_a.xlsx", "survey_scores"), _sub("b", "汇总_2023_b.xlsx", "survey_scores")]
    rec = dict(campaign_id=CAMPAIGN.id, survey_year=2023, unit_id="taihe", satisfaction_rate=90.0, score=None,
               sample_size=40)
    col.add([rec | {"submission_id": "b", "source_row": 3}, rec | {"submission_id": "a", "source_row": 5},
             rec | {"submission_id": "a", "source_row": 6, "unit_id": "funan"}])
    errors = []
    drop_duplicate_unit_scores(col, subs, errors)
    assert col.loaded_rows() == {("a", 5), ("a", 6)}
    (e,) = errors
    assert (e.file_name, e.source_row, e.severity) == ("汇总_2023_b.xlsx", 3, ERROR)
    assert "已按“汇总_2023_a.xlsx”第5行计入" in e.message


# ------------------------------------------------------------------ queries on a database with both kinds
SUMMARY_2023 = [
    # unit, rate, score, sample
    ("taihe", 99.0, 99.0, 500),          # 太和 has respondent rows in 2023: this summary is not used
    ("jieshou", 92.5, 92.0, 120),        # score 92.0 ranks first
    ("yingzhou", 88.1, None, 85),        # only a rate: 88.1 stands in for the score
    ("yingdong", 95.0, 91.0, 5),         # sample 5 < 8: 样本不足
    ("yingquan", None, 70.0, None),      # no sample size: not ranked
]


def _records_db(tmp_path, min_responses: int | None = None):
    survey = Collected("survey_responses")
    ctx = _ctx(_sub("resp", "满意度测评_2023.xlsx"))
    for i, v in enumerate(_24_questionnaires(), 2):
        survey.add(validate_survey_row(ctx, i, v))
    scores = Collected("survey_unit_scores")
    scores.add([dict(campaign_id=CAMPAIGN.id, survey_year=2023, unit_id=u, satisfaction_rate=r, score=s,
                     sample_size=n, submission_id="sum", source_row=i)
                for i, (u, r, s, n) in enumerate(SUMMARY_2023, 3)]
               + [dict(campaign_id=CAMPAIGN.id, survey_year=2022, unit_id="jieshou", satisfaction_rate=None,
                       score=84.0, sample_size=100, submission_id="sum22", source_row=3)])
    result = SimpleNamespace(survey=survey, survey_scores=scores, errors=[], submissions=[
        _sub("resp", "满意度测评_2023.xlsx"), _sub("sum", "满意度汇总_2023.xlsx", "survey_scores"),
        _sub("sum22", "满意度汇总_2022.xlsx", "survey_scores")])
    db = tmp_path / "survey.duckdb"
    write_database(db, [CAMPAIGN], result)
    if min_responses is not None:
        with duckdb.connect(str(db)) as con:
            con.execute("UPDATE campaigns SET survey_min_responses = ?", [min_responses])
    return db


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory):
    return _records_db(tmp_path_factory.mktemp("mixed"), min_responses=8)


@pytest.fixture(scope="module")
def q(mixed_db):
    r = QueryRunner(mixed_db)
    yield r
    r.close()


def test_summary_rows_loaded(mixed_db):
    with duckdb.connect(str(mixed_db), read_only=True) as con:
        rows = con.execute("SELECT unit_id, satisfaction_rate, score, sample_size FROM survey_unit_scores "
                           "WHERE survey_year = 2023 ORDER BY source_row").fetchall()
    assert rows == [(u, r, s, n) for u, r, s, n in SUMMARY_2023]


def test_ranking_includes_summary_only_units(q):
    d = q.run("satisfaction_ranking", campaign_id=CAMPAIGN.id, survey_year=2023, units=[]).set_index("unit_id")
    assert list(d.index) == ["jieshou", "linquan", "yingzhou", "yingshang", "taihe", "yingdong", "yingquan"]
    assert d.loc["taihe", "score"] == pytest.approx(75.0) and d.loc["taihe", "source"] == "问卷"  # not 99
    # ranked: 界首 92 · 临泉 90 · 颍州 88.1 · 颍上 85 · 太和 75
    assert d["rank"].dropna().astype(int).to_dict() == {"jieshou": 1, "linquan": 2, "yingzhou": 3,
                                                          "yingshang": 4, "taihe": 5}
    assert d.loc["jieshou", "respondents"] == 120 and d.loc["yingzhou", "score"] == pytest.approx(88.1)
    assert d.loc["jieshou", "source_note"] == "来自汇总表（无逐份问卷，无置信区间）"
    assert d.loc["yingzhou", "source_note"] == "来自汇总表，以满意率作得分（无逐份问卷，无置信区间）"
    assert d.loc[["jieshou", "yingzhou", "yingdong", "yingquan"], "ci_half"].isna().all()
    # 临泉 questionnaire means 4 × 5.0 and 4 × 4.0: sd = √(8·0.25/7), half width 1.96·sd/√8·20 = 7.41
    assert d.loc["linquan", "ci_half"] == pytest.approx(1.96 * (2 / 7) ** 0.5 / 8 ** 0.5 * 20)
    assert pd.isna(d.loc["linquan", "source_note"])
    assert d.loc["yingdong", "low_reason"] == "样本不足（5份，少于8份），不排名"
    assert d.loc["yingquan", "low_reason"] == "汇总表未填样本量，不排名"
    # low: 太和 75 < 80 and last; 颍上 second from the bottom of 5
    assert d.loc[d["is_low"].fillna(False)].index.tolist() == ["yingshang", "taihe"]
    assert d.loc["yingshang", "low_reason"] == "排名倒数第2位（共5个可排名单位）"


def test_years_overview_and_yoy_count_summary_units(q):
    params = dict(campaign_id=CAMPAIGN.id, as_of=date(2023, 12, 31), units=[], categories=[], channels=[])
    y = q.run("satisfaction_years", **params)
    # 2023: 24 questionnaires + samples 120 + 85 + 5 (颍泉 has none); 3 + 4 units.  2022: 界首 100.
    assert y[["survey_year", "responses", "units", "summary_units"]].values.tolist() == [
        [2023, 234, 7, 4], [2022, 100, 1, 1]]
    o = q.run("satisfaction_overview", **params).set_index("survey_year")
    # 2023: questionnaires (90·8+75·8+85·8)/24 = 83.333…; weighted with 92·120 + 88.1·85 + 91·5:
    # (83.333…·24 + 11040 + 7488.5 + 455) / (24 + 210) = 20983.5 / 234
    assert o.loc[2023, "score"] == pytest.approx(20983.5 / 234)
    assert o.loc[2023, "responses"] == 234 and o.loc[2023, "summary_units"] == 4
    assert o.loc[2022, "score"] == pytest.approx(84.0)
    yoy = q.run("satisfaction_yoy", **params)
    js = yoy[yoy["unit_id"] == "jieshou"].set_index("survey_year")
    assert js.loc[2023, "change"] == pytest.approx(8.0) and js.loc[2023, "source"] == "汇总表"
    only_units = q.run("satisfaction_years", **(params | {"units": ["linquan"]}))
    assert only_units[["survey_year", "responses", "units", "summary_units"]].values.tolist() == [[2023, 8, 1, 0]]


def test_brief_query_uses_summary_units(q):
    b = q.run("brief_satisfaction_units", campaign_id=CAMPAIGN.id, as_of=date(2023, 12, 31), units=[])
    assert b["unit_id"].tolist() == ["jieshou", "linquan", "yingzhou", "yingshang", "taihe", "yingdong", "yingquan"]
    assert b["rank"].iloc[:5].tolist() == [1, 2, 3, 4, 5] and b["rank"].iloc[5:].isna().all()
    assert b.set_index("unit_id").loc["yingzhou", "source"] == "汇总表"
    assert b["is_low"].tolist() == [False, False, False, True, True, False, False]


def test_without_summary_table_behaviour_is_unchanged(tmp_path):
    """Same respondent rows, no summary rows: the figures are the respondent-only ones."""
    db = tmp_path / "only.duckdb"
    shutil.copy(_records_db(tmp_path), db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM survey_unit_scores")
    q = QueryRunner(db)
    try:
        d = q.run("satisfaction_ranking", campaign_id=CAMPAIGN.id, survey_year=2023, units=[])
        assert d["unit_id"].tolist() == ["linquan", "yingshang", "taihe"]       # 30 needed: none ranked
        assert d["source"].eq("问卷").all() and d["low_reason"].str.startswith("样本不足（8份").all()
        o = q.run("satisfaction_overview", campaign_id=CAMPAIGN.id, as_of=date(2023, 12, 31), units=[])
        assert o["score"].tolist() == pytest.approx([(90 + 75 + 85) / 3]) and o["responses"].tolist() == [24]
    finally:
        q.close()


# ------------------------------------------------------------------ satisfaction page
def _satisfaction_page(db, monkeypatch):

    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = app_as(monkeypatch, timeout=90)
    at.run()
    at.switch_page("pages/satisfaction.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_shows_summary_only_unit_in_ranking(mixed_db, monkeypatch):
    at = _satisfaction_page(mixed_db, monkeypatch)
    table = next(d.value for d in at.dataframe if "95%置信区间" in d.value.columns).set_index("单位")
    js = table.loc["界首市交通运输局"]
    assert (js["排名"], js["满意度得分"], js["95%置信区间"], js["问卷份数"], js["状态"]) == ("1", 92.0, "—", 120, "正常")
    assert js["说明"] == "来自汇总表（无逐份问卷，无置信区间）"
    yq = table.loc["颍泉区交通运输局"]
    assert (yq["排名"], yq["状态"], pd.isna(yq["问卷份数"])) == ("—", "未填样本量", True)
    assert yq["说明"] == "来自汇总表（无逐份问卷，无置信区间）；汇总表未填样本量，不排名"
    assert table.loc["临泉县交通运输局", "说明"] == "—" and table.loc["临泉县交通运输局", "问卷份数"] == 8
    shown = {m.label: m.value for m in at.metric}
    assert shown["被测评单位"] == "7个" and shown["问卷份数"] == "234份" and shown["满意度低的单位"] == "2个"
    assert shown["总体满意度"] == f"{20983.5 / 234:.1f}分"
    assert any("4个单位2023年没有逐份问卷" in c.value for c in at.caption)
    # low units: 颍上 (questionnaires) and 太和; the summary unit text names its sample
    assert [e.value.split("**")[1] for e in at.error] == ["颍上县交通运输局", "太和县交通运输局"]


def test_page_with_summary_table_only(tmp_path, monkeypatch):
    db = _records_db(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM survey_responses")
        # the build's precomputed tables derived from the questionnaires are empty without them, as a build makes them
        for derived in ("survey_response_scores", "survey_unit_year_scores", "survey_dimension_scores"):
            con.execute(f"DELETE FROM {derived}")
    at = _satisfaction_page(db, monkeypatch)
    table = next(d.value for d in at.dataframe if "95%置信区间" in d.value.columns)
    # min 30: 界首 120 and 颍州 85 rank; 太和's summary counts now (no questionnaires), 颍东 5 and 颍泉 do not
    assert table["单位"].tolist() == ["太和县交通运输局", "界首市交通运输局", "颍州区交通运输局",
                                    "颍东区交通运输局", "颍泉区交通运输局"]
    assert table["排名"].tolist() == ["1", "2", "3", "—", "—"]
    assert table["说明"].str.startswith("来自汇总表").all()


def test_brief_table_marks_summary_units(mixed_db, tmp_path):
    from reports.brief_data import collect
    from reports.brief_tables import kpi_table, satisfaction_table

    data = collect(mixed_db, CAMPAIGN.id, date(2023, 12, 31))
    t = satisfaction_table(data)
    rows = {r[1]: r for r in t.rows}
    assert rows["界首市交通运输局"] == [1, "界首市交通运输局", 120, 92.0, "来自汇总表"]
    assert rows["太和县交通运输局"][2:] == [8, 75.0, "满意度低或排名靠后，建议约谈主要负责人"]
    assert rows["颍泉区交通运输局"][0] is None and rows["颍泉区交通运输局"][2] is None
    assert rows["颍泉区交通运输局"][4] == "来自汇总表；汇总表未填样本量，不参与排名"
    assert "“来自汇总表”的单位没有逐份问卷" in t.note
    # KPI row: unit scores weighted by sample; 颍泉 (no sample) left out:
    # (90·8 + 75·8 + 85·8 + 92·120 + 88.1·85 + 91·5) / 234 = 20983.5 / 234
    kpi = next(r for r in kpi_table(data).rows if str(r[0][1]).startswith("满意度得分"))
    assert kpi[1][1] == pytest.approx(20983.5 / 234)
    # both documents are written with a blank sample cell
    from docx import Document

    from reports.brief_docx import write_docx
    from reports.brief_xlsx import write_xlsx

    doc = Document(write_docx(data, tmp_path / "brief.docx"))
    cells = [[c.text for c in row.cells] for tb in doc.tables for row in tb.rows]
    assert ["1", "界首市交通运输局", "120", "92.0", "来自汇总表"] in cells
    assert write_xlsx(data, tmp_path / "brief.xlsx").stat().st_size > 0


# ------------------------------------------------------------------ end to end: files → build → queries
def _xlsx(path, rows):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)


@pytest.fixture(scope="module")
def files_db(tmp_path_factory):
    from etl.build import CampaignSources, build

    src = tmp_path_factory.mktemp("survey_src")
    # the respondent-level layout of issue 7 "Why": 24 questionnaires, 总体评价 is no configured dimension
    rows = [["问卷编号", "被测评单位", "身份类别", "执法规范", "执法态度", "执法效率", "廉洁执法", "总体评价"]]
    for v in _24_questionnaires():
        rows.append([v["response_id"], v["unit"], v["respondent_type"],
                     *[v[f"dim:{d}"] for d in DIMS4], v["dim:总体评价"]])
    _xlsx(src / "满意度测评_2023.xlsx", rows)
    # 问卷星 “按文本” export: 序号, 提交答卷时间 and bookkeeping columns, questions as headers; no year in the name
    _xlsx(src / "问卷星导出_满意度调查.xlsx", [
        ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您所在的被测评单位：", "2、您的身份：",
         "3、您对执法人员执法规范（程序合法、文书规范）的满意程度：",
         "4、您对执法人员执法态度（文明礼貌、耐心细致）的满意程度：", "5、您对执法效率的满意程度：",
         "6、您对廉洁执法的满意程度：", "7、您对便民服务的满意程度："],
        [1, "2023/10/12 9:31:05", "65秒", "微信", "N/A", "1.2.3.4(安徽-阜阳)", "阜南县交通运输局", "货车司机",
         "非常满意", "满意", "满意", "非常满意", "基本满意"],
        [2, "2023/10/12 10:01:00", "80秒", "微信", "N/A", "1.2.3.5(安徽-阜阳)", "阜南县交通运输局", "群众",
         "满意", "满意", "满意", "满意", "满意"],
    ])
    # a unit-level summary table with a title row
    _xlsx(src / "满意度汇总表_2023.xlsx", [
        ["2023年度各单位执法满意度测评结果汇总表"],
        ["序号", "单位", "满意率", "综合得分", "有效问卷数"],
        [1, "界首市交通运输局", "92.5%", 92.0, 120],
        [2, "颍州区交通运输局", 0.881, None, 85],
        [3, "颍东区交通运输局", "95%", "91分", 60],
    ])
    db = tmp_path_factory.mktemp("survey_db") / "files.duckdb"
    build([CampaignSources(CAMPAIGN, [src])], db, salt="t")
    return db


def _all(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_files_load_completely(files_db):
    assert _all(files_db, "SELECT file_name, kind, rows_read, rows_loaded, rows_rejected FROM submissions "
                          "ORDER BY file_name") == [
        ("满意度汇总表_2023.xlsx", "survey_scores", 3, 3, 0),
        ("满意度测评_2023.xlsx", "survey", 24, 24, 0),
        ("问卷星导出_满意度调查.xlsx", "survey", 2, 2, 0),
    ]
    # 阜南 (问卷星): (5+4+4+5+3 + 4·5) / 10 = 4.1 → 82; year from 提交答卷时间
    assert _all(files_db, "SELECT unit_id, survey_year, count(DISTINCT response_id), avg(score) * 20 "
                          "FROM survey_responses GROUP BY ALL ORDER BY unit_id") == [
        ("funan", 2023, 2, pytest.approx(82.0)), ("linquan", 2023, 8, 90.0),
        ("taihe", 2023, 8, 75.0), ("yingshang", 2023, 8, 85.0)]
    assert {r[0].split("-")[-1] for r in _all(files_db, "SELECT response_id FROM survey_responses "
                                                        "WHERE unit_id = 'funan'")} == {"序号1", "序号2"}
    assert _all(files_db, "SELECT unit_id, survey_year, satisfaction_rate, score, sample_size, source_row "
                          "FROM survey_unit_scores ORDER BY source_row") == [
        ("jieshou", 2023, 92.5, 92.0, 120, 3), ("yingzhou", 2023, pytest.approx(88.1), None, 85, 4),
        ("yingdong", 2023, 95.0, 91.0, 60, 5)]
    assert _all(files_db, "SELECT severity, column_name FROM load_errors") == [("警告", "总体评价")]


def test_files_ranking_with_summary_units(files_db):
    q = QueryRunner(files_db)
    try:
        d = q.run("satisfaction_ranking", campaign_id=CAMPAIGN.id, survey_year=2023, units=[])
    finally:
        q.close()
    # min 30: only the summary units with 120, 85, 60 rank: 界首 92 · 颍东 91 · 颍州 88.1
    ranked = d[d["rankable"]]
    assert ranked["unit_id"].tolist() == ["jieshou", "yingdong", "yingzhou"] and ranked["rank"].tolist() == [1, 2, 3]
    assert d.set_index("unit_id").loc["linquan", "low_reason"] == "样本不足（8份，少于30份），不排名"


def test_wjx_option_number_export_scored_through_scale_order(tmp_path):
    """问卷星 “按序号”: the reader marks the sheet (提交答卷时间/所用时间 present), 1 = 非常满意 = 5."""
    from etl.build import CampaignSources, build

    src = tmp_path / "src"
    src.mkdir()
    _xlsx(src / "问卷星_按序号.xlsx", [
        ["序号", "提交答卷时间", "所用时间", "1、被测评单位", "2、执法规范", "3、执法态度", "4、执法效率", "5、廉洁执法",
         "6、便民服务"],
        [1, "2023/10/12 9:31:05", "65秒", "临泉县交通运输局", 1, 2, 1, 1, 3],     # 5 4 5 5 3 → 4.4
        [2, "2023/10/13 9:00:00", "70秒", "临泉县交通运输局", 2, 2, 2, 2, 6],     # 6: no such option → refused
    ])
    db = tmp_path / "wjx.duckdb"
    result = build([CampaignSources(CAMPAIGN, [src])], db, salt="t")
    assert _all(db, "SELECT survey_year, avg(score) * 20, count(*) FROM survey_responses GROUP BY 1") == [(2023, 88.0, 5)]
    (refused,) = [e for e in result.errors if e.severity == ERROR]
    assert refused.source_row == 3 and "选项序号“6”超出范围" in refused.message and "按文本" in refused.message
