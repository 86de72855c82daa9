"""Lead registers validated a column at a time (etl/validate/lead_columns.py) give what validate_lead_row gives
row by row: the same records in the same order and the same messages, for every kind of row — plain rows,
rows with errors or warnings, rows without an id, formula errors, odd cell types — and for 3,000 rows
drawn at random from those cells. The plain rows must really be made a column at a time (counted)."""
from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from etl.config import load_campaign
from etl.read.model import CellError, RawRow
from etl.read_one import _reject_cell_errors, _validated
from etl.validate.context import RowContext, RowRejected, Submission
from etl.validate.lead_columns import plain_lead_records
from etl.validate.leads import validate_lead_row

SALT = "test-salt"
FORMULA_ERROR = CellError("#REF!", "公式错误（#REF!）")


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")  # 2023-03-27 … 2023-11-01, 5 working days


def make_ctx(campaign, unit_id="linquan"):
    sub = Submission("sub-1", campaign.id, "线索登记表.xlsx", "Sheet1", "leads", unit_id, date(2023, 10, 20),
                     "表头", "sha")
    return RowContext(campaign, sub, {}, memo={})


def row_by_row(campaign, rows, unit_id="linquan"):
    """The reference: validate_lead_row on each row, as read_one did before."""
    ctx = make_ctx(campaign, unit_id)
    records = []
    for raw in rows:
        try:
            _reject_cell_errors(ctx, raw)
            records.append(validate_lead_row(ctx, raw.source_row, raw.values, SALT))
        except RowRejected:
            pass
    return records, ctx.errors


def by_columns(campaign, rows, unit_id="linquan"):
    ctx = make_ctx(campaign, unit_id)
    records = list(_validated(ctx, "leads", list(rows), SALT, release=True))
    return records, ctx.errors


PLAIN = {
    "lead_id": "阜交专办〔2023〕001号", "channel": "12345热线", "received_date": "2023-09-26",
    "assigned_date": datetime(2023, 9, 27, 9, 2), "unit": "临泉县交通运输局", "category": "执法不规范",
    "summary": "反映货车被乱罚款，联系电话13812341234", "complainant": "张伟", "phone": "13812341234",
    "concluded_date": "2023-10-09", "finding": "属实", "feedback_date": "2023-10-10",
    "handling_status": "已办结", "given_due_date": None, "visit_satisfaction": "满意",
}

# Each: (what it is, the changes to PLAIN, whether validate_lead_row loads it without a word)
VARIANTS = [
    ("plain", {}, True),
    ("no unit column value: the reporting unit", {"unit": None}, True),
    ("Excel serial date", {"received_date": 45195}, True),
    ("open lead", {"concluded_date": None, "handling_status": "办理中", "finding": None, "feedback_date": None}, True),
    ("given due date equal to ours", {"given_due_date": "2023-10-10 18:00:00"}, True),
    ("no phone, name only", {"phone": None}, True),
    ("landline", {"phone": "0558-1234567"}, True),
    ("assigned missing: received used", {"assigned_date": None}, True),
    ("whitespace-only cells", {"finding": "  ", "handling_status": " "}, True),
    ("unknown unit", {"unit": "火星交通局"}, False),
    ("bad received date", {"received_date": "2023-13-45"}, False),
    ("implausible year", {"concluded_date": "2031-10-09"}, False),
    ("no dates at all", {"received_date": None, "assigned_date": None}, False),
    ("concluded before assigned", {"concluded_date": "2023-09-01"}, False),
    ("given due date differs", {"given_due_date": "2023-10-20"}, False),
    ("given due date unreadable", {"given_due_date": "尽快"}, False),
    ("unknown channel", {"channel": "飞鸽传书"}, False),
    ("unknown category", {"category": "天气不好"}, False),
    ("unknown finding", {"finding": "待定"}, False),
    ("status says concluded, no date", {"concluded_date": None}, False),
    ("status says open, date given", {"handling_status": "办理中"}, False),
    ("no id: made from the content", {"lead_id": None}, False),
    ("formula error", {"category": FORMULA_ERROR}, False),
    ("formula error in free text", {"summary": FORMULA_ERROR}, False),
    ("bool cell", {"finding": True}, False),
]


def test_every_kind_of_row_gives_the_same_records_and_messages(campaign):
    rows = [RawRow(i + 2, {**PLAIN, **changes}) for i, (_, changes, _) in enumerate(VARIANTS)]
    rows += [RawRow(len(rows) + 2, {**PLAIN, "lead_id": None})]  # the same content again: a 警告 names the first
    plain = plain_lead_records(make_ctx(campaign), rows, SALT)
    made = [name for (name, _, _), record in zip(VARIANTS, plain, strict=False) if record is not None]
    assert made == [name for name, _, quiet in VARIANTS if quiet]
    expected, expected_errors = row_by_row(campaign, rows)
    records, errors = by_columns(campaign, rows)
    assert records == expected
    assert errors == expected_errors
    # loaded: 9 quiet rows, 9 with a 警告 (given due date ×2, channel, category, finding, status ×2, no id, bool)
    # and the twin without an id (a 警告 naming row 23); rejected: unit, 3 dates, no dates, 2 formula errors
    assert len(records) == 9 + 9 + 1
    assert [e.severity for e in errors].count("错误") == 7
    assert [e.severity for e in errors].count("警告") == 8 + 1  # the first row without an id has none
    assert errors[-1].message.startswith("本行与第23行各项内容完全相同")


def test_a_plain_row_worked_out_by_hand(campaign):
    (record,) = by_columns(campaign, [RawRow(7, dict(PLAIN))])[0]
    # assigned Wed 2023-09-27 + 5 working days: 28, 29 Sep are working days, then the National Day
    # holiday 29 Sep–6 Oct (7, 8 Oct are make-up working days): 28 Sep, 7 Oct, 8 Oct, 9 Oct, 10 Oct
    assert record["due_date"] == date(2023, 10, 10)
    assert record["on_time"] is True
    assert record["unit_id"] == "linquan"
    assert record["summary"] == "反映货车被乱罚款，联系电话*******1234"
    assert record["complainant_masked"] == "张**"
    assert record["phone_masked"] == "*******1234"
    assert record["source_row"] == 7
    assert "13812341234" not in repr(record)


def test_the_reporting_unit_missing_leaves_the_row_to_be_rejected(campaign):
    rows = [RawRow(2, {**PLAIN, "unit": None}), RawRow(3, dict(PLAIN))]
    assert [r is None for r in plain_lead_records(make_ctx(campaign, unit_id=None), rows, SALT)] == [True, False]
    assert by_columns(campaign, rows, unit_id=None) == row_by_row(campaign, rows, unit_id=None)


def test_rows_with_other_columns_are_left_to_the_row_validator(campaign):
    with_second_phone = {**PLAIN, "phone": None, "phone_2": "13900001111"}
    rows = [RawRow(2, dict(PLAIN)), RawRow(3, with_second_phone)]
    assert [r is None for r in plain_lead_records(make_ctx(campaign), rows, SALT)] == [False, True]
    records, errors = by_columns(campaign, rows)
    assert (records, errors) == row_by_row(campaign, rows)
    assert records[1]["phone_masked"] == "*******1111"


CELLS = {
    "lead_id": ["A-1", "A-2", "A-3", None, 12345],
    "channel": ["12345热线", "信访件", "飞鸽传书", None],
    "received_date": ["2023-09-26", "2023.7.28", 45195, "2023-13-01", None, datetime(2023, 8, 1, 8, 30)],
    "assigned_date": ["2023-09-27", "2023/7/31", None, date(2023, 8, 2), "昨天"],
    "unit": ["临泉县交通运输局", "临泉县", "火星交通局", None],
    "category": ["执法不规范", "执法方式简单僵化", "天气不好", None],
    "summary": ["反映乱罚款", "电话0558-1234567请回电", None],
    "complainant": ["张伟", "李", None],
    "phone": ["13812341234", 13912341234, "0558-7654321", "无", None],
    "concluded_date": ["2023-10-09", "2023-08-04", "2023-07-01", None, "2031-01-01"],
    "finding": ["属实", "部分属实", "不属实", "待定", None],
    "feedback_date": ["2023-10-10", None, "不详"],
    "handling_status": ["已办结", "办理中", "已归档", None],
    "given_due_date": [None, None, None, "2023-10-11", "尽快"],
    "visit_satisfaction": ["满意", "不满意", None],
}


def test_random_rows_give_the_same_records_and_messages(campaign):
    rng = random.Random(20261130)
    # each cell the first (plain) value, or one drawn from the list a third of the time
    rows = [RawRow(i + 2, {name: rng.choice(cells) if rng.random() < 0.33 else cells[0] for name, cells in CELLS.items()})
            for i in range(3000)]
    rows += [RawRow(len(rows) + 2 + i, dict(rows[i].values)) for i in range(200)]  # repeats: ids made twice
    expected, expected_errors = row_by_row(campaign, rows)
    records, errors = by_columns(campaign, rows)
    assert records == expected
    assert errors == expected_errors
    made = sum(r is not None for r in plain_lead_records(make_ctx(campaign), rows, SALT))
    assert 300 < made < len(expected) - 300  # many rows made a column at a time, many by the row validator


def test_a_register_without_an_id_column_is_validated_row_by_row(campaign):
    no_id = {k: v for k, v in PLAIN.items() if k != "lead_id"}
    rows = [RawRow(2, dict(no_id)), RawRow(3, {**no_id, "summary": "另一件事"}), RawRow(4, dict(no_id))]
    assert plain_lead_records(make_ctx(campaign), rows, SALT) == [None, None, None]
    records, errors = by_columns(campaign, rows)
    assert (records, errors) == row_by_row(campaign, rows)
    assert [r["lead_id"][:4] for r in records] == ["无编号-"] * 3
    assert records[2]["lead_id"] == records[0]["lead_id"] + "-2"  # the same content again: counted, with a 警告
    assert [e.message[:10] for e in errors] == ["本行与第2行各项内容"]
