"""Validated records become Arrow tables of the database's types the same way whatever the batch size:
one struct array, checked against pyarrow's from_pylist."""
from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from etl.collected import Collected, arrow_schema, records_arrow, records_table


def _lead(i: int) -> dict:
    return {"campaign_id": "c", "lead_id": f"L{i}", "unit_id": None if i % 3 else f"u{i}",
            "received_date": date(2023, 5, 1 + i % 28), "on_time": [True, False, None][i % 3],
            "due_date_provisional": i % 2 == 0, "source_row": i + 2, "not_a_column": "ignored"}


def test_small_and_large_batches_give_the_from_pylist_table():
    schema = arrow_schema("leads")
    for n in (0, 1, 13, 1_000, 60_001):
        records = [_lead(i) for i in range(n)]
        table = records_arrow(records, schema)
        assert table.equals(pa.Table.from_pylist(records, schema=schema)), n
        assert table.schema == schema and table.num_rows == n
    one = records_arrow([_lead(3)], schema).to_pylist()[0]
    assert (one["unit_id"], one["received_date"], one["on_time"], one["source_row"]) == ("u3", date(2023, 5, 4), True, 5)
    assert one["summary"] is None  # a column the record does not name is null


def test_collected_keeps_the_order_of_records_and_tables():
    collected = Collected("leads")
    collected.add([_lead(i) for i in range(3)])
    collected.add_arrow(records_arrow([_lead(i) for i in range(3, 5)], arrow_schema("leads")))
    collected.add([_lead(5)])
    assert collected.arrow().column("lead_id").to_pylist() == [f"L{i}" for i in range(6)]


def test_a_value_of_the_wrong_type_is_refused_as_from_pylist_refuses_it():
    schema = arrow_schema("leads")
    bad = [_lead(1) | {"received_date": "2023-05-01"}]
    with pytest.raises(pa.ArrowTypeError):
        pa.Table.from_pylist(bad, schema=schema)
    with pytest.raises(pa.ArrowTypeError):
        records_arrow(bad, schema)


def test_records_table_reads_the_columns_from_the_objects_fields():
    from etl.validate.context import LoadError

    error = LoadError("c", "s1", "a.xlsx", "表", 7, "C", "x", "原因", "警告")
    row = records_table([error], "load_errors").to_pylist()[0]
    assert (row["submission_id"], row["source_row"], row["column_name"], row["severity"]) == ("s1", 7, "C", "警告")
