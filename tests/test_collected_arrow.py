"""Validated records become Arrow tables of the database's types the same way whatever the batch size:
small batches (one ledger's rows) go column by column, large ones through from_pylist."""
from __future__ import annotations

from datetime import date

import pyarrow as pa

from etl.collected import SMALL_BATCH, Collected, _records_arrow, arrow_schema


def _lead(i: int) -> dict:
    return {"campaign_id": "c", "lead_id": f"L{i}", "unit_id": None if i % 3 else f"u{i}",
            "received_date": date(2023, 5, 1 + i % 28), "on_time": [True, False, None][i % 3],
            "due_date_provisional": i % 2 == 0, "source_row": i + 2, "not_a_column": "ignored"}


def test_small_and_large_batches_give_the_from_pylist_table():
    schema = arrow_schema("leads")
    for n in (1, 13, SMALL_BATCH, SMALL_BATCH + 1):
        records = [_lead(i) for i in range(n)]
        table = _records_arrow(records, schema)
        assert table.equals(pa.Table.from_pylist(records, schema=schema)), n
        assert table.schema == schema and table.num_rows == n
    one = _records_arrow([_lead(3)], schema).to_pylist()[0]
    assert (one["unit_id"], one["received_date"], one["on_time"], one["source_row"]) == ("u3", date(2023, 5, 4), True, 5)
    assert one["summary"] is None  # a column the record does not name is null


def test_collected_keeps_the_order_of_records_and_tables():
    collected = Collected("leads")
    collected.add([_lead(i) for i in range(3)])
    collected.add_arrow(_records_arrow([_lead(i) for i in range(3, 5)], arrow_schema("leads")))
    collected.add([_lead(5)])
    assert collected.arrow().column("lead_id").to_pylist() == [f"L{i}" for i in range(6)]
