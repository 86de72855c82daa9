"""Real-world layouts (issue 7): every important column mapped, rows loaded = rows − bad ones.

The layouts, each with its public source, are in tests/fixtures/real_layouts.py; every test id is
the layout's name and each test prints the source it reproduces when it fails.
"""

from __future__ import annotations

import pytest

from etl.build import CampaignSources, collect
from etl.config import load_campaign
from etl.read import read_file
from tests.fixtures.real_layouts import HELDOUT_LAYOUTS, KNOWN_GAPS, LAYOUTS, Layout, write

IDS = [layout.file_name for layout in LAYOUTS]
COLLECTION = {"ledger": "ledger", "leads": "leads", "survey": "survey", "survey_scores": "survey_scores"}


def the_sheet(layout: Layout, tmp_path):
    path = write(layout, tmp_path)
    sheets = [s for s in read_file(path, load_campaign(layout.campaign_id)) if s.rows or s.kind]
    assert len(sheets) == 1, f"{layout.source}: {[(s.sheet_name, s.kind, s.error) for s in sheets]}"
    return sheets[0]


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_reading_maps_every_important_column(layout: Layout, tmp_path):
    sheet = the_sheet(layout, tmp_path)
    where = f"source: {layout.source}"
    assert sheet.kind == layout.kind, f"{where}; error: {sheet.error}"
    assert sheet.header_row == layout.first_data_row - 1, where
    mapped = {header: canon for canon, header in sheet.columns.items()}
    gaps = KNOWN_GAPS.get(layout.name, {})  # judged by test_known_gaps_are_still_read_wrongly
    wanted = {h: f for h, f in layout.important.items() if h not in gaps}
    assert {h: mapped.get(h) for h in wanted} == wanted, where
    for header, canon in layout.expected.items():
        if canon is None and header not in gaps:
            assert header not in mapped, f"{header} must not be imported ({mapped.get(header)}); {where}"
    assert [r.source_row for r in sheet.rows] == [layout.source_row(i) for i in range(len(layout.rows))], where
    for i, canon, value in layout.raw:
        assert sheet.rows[i].values[canon] == value, f"row {i} {canon}; {where}"


def test_id_card_column_is_never_read_into_a_row(tmp_path):
    """市长信箱 UTF-16 export (source in the layout): 身份证号 values appear in no row value."""
    layout = next(x for x in LAYOUTS if "身份证号" in x.expected)
    sheet = the_sheet(layout, tmp_path)
    values = [str(v) for row in sheet.rows for v in row.values.values()]
    assert values and not any("630000" in v for v in values)


def build(layout: Layout, tmp_path):
    folder = tmp_path / "in"
    write(layout, folder)
    return collect([CampaignSources(load_campaign(layout.campaign_id), [folder])], salt="test-salt")


def records_by_row(layout: Layout, result) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for rec in getattr(result, COLLECTION[layout.kind]).rows():
        out.setdefault(rec["source_row"], []).append(rec)
    return out


def check_value(layout: Layout, recs: list[dict], field: str, value, where: str) -> None:
    if field.startswith("dim:"):
        scores = {r["dimension"]: r["score"] for r in recs}
        assert scores.get(field[4:]) == value, f"{field}: {scores}; {where}"
    elif field == "satisfaction_rate":
        rate = recs[0][field]
        assert rate is not None and (abs(rate - value) < 1e-6 or abs(rate * 100 - value) < 1e-6), f"{rate}; {where}"
    else:
        assert recs[0][field] == value, f"{field}: {recs[0][field]!r}; {where}"


@pytest.mark.parametrize("layout", [x for x in LAYOUTS if not x.option_numbers], ids=lambda x: x.file_name)
def test_loading_every_good_row(layout: Layout, tmp_path):
    result = build(layout, tmp_path)
    where = f"source: {layout.source}; errors: {[(e.source_row, e.column_name, e.message) for e in result.errors]}"
    subs = [s for s in result.submissions if s.file_name == layout.file_name]
    assert [s.kind for s in subs] == [layout.kind], where
    (sub,) = subs
    assert sub.rows_read == len(layout.rows), where
    assert sub.rows_read == sub.rows_loaded + sub.rows_rejected, where
    assert sub.rows_loaded == layout.good_rows, where
    assert not [e for e in result.errors if "重复" in e.message], where
    by_row = records_by_row(layout, result)
    assert sorted(by_row) == [layout.source_row(i) for i in range(len(layout.rows)) if i not in layout.bad_rows], where
    for i in layout.bad_rows:
        assert any(e.source_row == layout.source_row(i) and e.severity == "错误" for e in result.errors), where
    for i, field, value in layout.loaded:
        check_value(layout, by_row[layout.source_row(i)], field, value, f"row {i}; {where}")


@pytest.mark.parametrize("layout", [x for x in LAYOUTS if x.kind == "leads"], ids=lambda x: x.file_name)
def test_no_clear_phone_or_name_is_loaded(layout: Layout, tmp_path):
    result = build(layout, tmp_path)
    stored = " ".join(str(v) for rec in result.leads.rows() for v in rec.values())
    header = layout.header_rows[0]
    for row in layout.rows:
        for h, v in zip(header, row, strict=True):
            if layout.expected.get(h) in ("complainant", "phone", "phone_2") or h == "身份证号":
                assert not v or str(v) not in stored, f"{h}={v} stored in clear; source: {layout.source}"


def test_wjx_option_numbers_are_scored_by_scale_order_or_refused_with_hint(tmp_path):
    """问卷星“按序号” export (gasongjian/reportgen questionnaire.py, All_Data_Original.xls): either every
    questionnaire is scored through the campaign's scale order (1 = 非常满意 = 5 …) or each one is refused
    with a message that says to export “按文本” — never loaded with the option numbers as scores."""
    layout = next(x for x in LAYOUTS if x.option_numbers)
    result = build(layout, tmp_path)
    (sub,) = [s for s in result.submissions if s.file_name == layout.file_name]
    assert sub.rows_read == len(layout.rows) == sub.rows_loaded + sub.rows_rejected
    if sub.rows_loaded:
        assert sub.rows_loaded == len(layout.rows)
        by_row = records_by_row(layout, result)
        for i, field, value in layout.loaded:
            check_value(layout, by_row[layout.source_row(i)], field, value, layout.source)
    else:
        refused = [e for e in result.errors if e.severity == "错误" and "按文本" in e.message]
        assert sorted({e.source_row for e in refused}) == [layout.source_row(i) for i in range(len(layout.rows))]


def test_the_corpus_is_wide_enough():
    kinds = [x.kind for x in LAYOUTS]
    assert len(LAYOUTS) >= 18
    assert kinds.count("leads") >= 6 and kinds.count("ledger") >= 6
    assert kinds.count("survey") + kinds.count("survey_scores") >= 4
    assert {x.file_type for x in LAYOUTS} == {"xlsx", "xls", "csv"}
    assert any(x.encoding == "utf-16" and x.delimiter == "\t" for x in LAYOUTS)
    assert len({x.file_name for x in LAYOUTS}) == len(LAYOUTS)
    assert all(x.source for x in LAYOUTS)


@pytest.mark.parametrize("layout", [x for x in LAYOUTS if x.name in KNOWN_GAPS], ids=lambda x: x.file_name)
def test_known_gaps_are_still_read_wrongly(layout: Layout, tmp_path):
    """Each KNOWN_GAPS column is still read wrongly; when this fails a gap was fixed: drop it from KNOWN_GAPS."""
    sheet = the_sheet(layout, tmp_path)
    mapped = {header: canon for canon, header in sheet.columns.items()}
    for header, field in KNOWN_GAPS[layout.name].items():
        assert layout.expected[header] == field, f"KNOWN_GAPS disagrees with expected for {header}"
        assert mapped.get(header) != field, (
            f"known gap fixed: {header} → {field!r} now; remove it from KNOWN_GAPS; source: {layout.source}")


def test_the_held_out_set_is_all_there_and_checked():
    assert len(HELDOUT_LAYOUTS) == 12 and all(x.heldout for x in HELDOUT_LAYOUTS)
    assert all(x in LAYOUTS for x in HELDOUT_LAYOUTS)
    assert not [x for x in LAYOUTS if x.heldout and x not in HELDOUT_LAYOUTS]
    assert set(KNOWN_GAPS) <= {x.name for x in LAYOUTS}
    assert len({x.name for x in LAYOUTS}) == len(LAYOUTS)
    assert all(len(x.loaded) >= 2 for x in HELDOUT_LAYOUTS)
