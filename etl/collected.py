"""Validated rows of one table, held as Arrow chunks.

A million leads as Python dicts take gigabytes; as Arrow columns, a few hundred megabytes. De-duplication
(etl/validate/dedupe.py) and the rows-loaded count read the key columns of the Arrow table."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

SCHEMA = Path(__file__).resolve().parent / "schema.sql"
ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32(),
               "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64()}

RECORD_TABLES = ("ledger_snapshots", "leads", "survey_responses", "survey_unit_scores")


@cache
def _columns() -> dict[str, list[tuple[str, str]]]:
    """Every table's (column, type) in schema.sql, from one in-memory database (one per table cost 30 ms each)."""
    with duckdb.connect() as con:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        rows = con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                           "ORDER BY table_name, column_index").fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        columns.setdefault(table, []).append((column, kind))
    return columns


@cache
def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in _columns()[table]])


def records_table(records: list, table: str) -> pa.Table:
    """Submission or LoadError objects (fields named as the table's columns) as an Arrow table of the
    database table's types (dataclasses.asdict deep-copies every field: 10× slower)."""
    schema = arrow_schema(table)
    return records_arrow([{f: getattr(r, f) for f in schema.names} for r in records], schema)


def records_arrow(records: list[dict], schema: pa.Schema) -> pa.Table:
    """The records as a table of the schema's columns (a key the schema lacks is ignored, a column no record
    names is null). Converted as one struct array: one pass in Arrow's C++ instead of one per column, half
    the cost of from_pylist for one ledger's dozen rows (24,000 times nationally) and a little less for
    large batches."""
    return pa.Table.from_struct_array(pa.array(records, type=pa.struct(schema)))


CHUNK_ROWS = 50_000  # thousands of tiny Arrow tables cost more than the dicts they replace


@dataclass
class Collected:
    table: str
    chunks: list[pa.Table] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)
    pending_tables: list[pa.Table] = field(default_factory=list)
    pending_table_rows: int = 0
    rows_added: int = 0
    # rows found to be duplicates: (submission_id, source_row) → the row kept instead (submission_id, source_row)
    dropped: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)

    def add(self, records: list[dict]) -> None:
        self.rows_added += len(records)
        self.pending.extend(records)
        if len(self.pending) >= CHUNK_ROWS:
            self._flush()

    def add_arrow(self, rows: pa.Table) -> None:
        """Rows already validated and converted (one file's, from the build cache or a reading process);
        small tables are gathered into chunks of CHUNK_ROWS."""
        if rows.num_rows == 0:
            return
        self._flush_records()  # keeps the rows in the order they were added
        self.rows_added += rows.num_rows
        if rows.num_rows >= CHUNK_ROWS:  # already large (the cache's rows of many files): kept as it is
            self._flush_tables()
            self.chunks.append(rows)
            return
        self.pending_tables.append(rows)
        self.pending_table_rows += rows.num_rows
        if self.pending_table_rows >= CHUNK_ROWS:
            self._flush_tables()

    def _flush_records(self) -> None:
        if self.pending:
            self._flush_tables()
            self.chunks.append(records_arrow(self.pending, arrow_schema(self.table)))
            self.pending = []

    def _flush_tables(self) -> None:
        if self.pending_tables:
            self.chunks.append(pa.concat_tables(self.pending_tables).combine_chunks())
            self.pending_tables, self.pending_table_rows = [], 0

    def _flush(self) -> None:
        self._flush_tables()
        self._flush_records()

    def __len__(self) -> int:
        return self.rows_added

    def loaded_rows(self) -> set[tuple[str, int]]:
        """(submission_id, source_row) of the rows kept (for tests and small builds)."""
        table = self.arrow()
        return set(zip(table.column("submission_id").to_pylist(), table.column("source_row").to_pylist(),
                       strict=True)) - self.dropped.keys()

    def loaded_per_submission(self) -> dict[str, int]:
        """Rows kept per submission_id (a questionnaire row giving several records counts once)."""
        table = self.arrow()
        if not table.num_rows:
            return {}
        distinct = table.group_by("submission_id").aggregate([("source_row", "count_distinct")])
        counts = dict(zip(distinct.column(0).to_pylist(), distinct.column(1).to_pylist(), strict=True))
        for sub_id, _row in self.dropped:  # dropped rows are distinct rows of these submissions
            counts[sub_id] -= 1
        return counts

    def rows(self) -> list[dict]:
        """The kept rows as dicts (for tests and small builds)."""
        return [r for r in self.arrow().to_pylist() if (r["submission_id"], r["source_row"]) not in self.dropped]

    def arrow(self) -> pa.Table:
        self._flush()
        return pa.concat_tables(self.chunks) if self.chunks else arrow_schema(self.table).empty_table()


def joined_tables(parts: list[Collected | None], table: str) -> tuple[pa.Table, list[int]]:
    """Several files' rows of one table, one file after the other, as one table, with each file's number of
    rows (-1 for a file without the table). Rows still held as records are converted together: converting a
    ledger's dozen on their own cost 40 µs, 24,000 times nationally; together, a chunk's 64 cost 8 µs a file."""
    pieces: list[pa.Table] = []
    records: list[dict] = []
    counts = []
    for part in parts:
        counts.append(-1 if part is None else len(part))
        if part is None:
            continue
        if not part.chunks and not part.pending_tables:
            records.extend(part.pending)
            continue
        if records:
            pieces.append(records_arrow(records, arrow_schema(table)))
            records = []
        pieces.append(part.arrow())
    if records or not pieces:
        pieces.append(records_arrow(records, arrow_schema(table)))
    return pa.concat_tables(pieces).combine_chunks(), counts
