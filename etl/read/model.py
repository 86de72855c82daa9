"""Reader output types (contract: docs/design.md, "Readers")."""

from __future__ import annotations

from dataclasses import dataclass, field


class ReadError(Exception):
    """The file as a whole cannot be read (unsupported type, corrupt, undecodable). Chinese message."""


@dataclass
class RawRow:
    source_row: int  # 1-based row number as the user sees it in Excel / the CSV line
    values: dict[str, object]  # canonical column → raw cell value


@dataclass
class RawSheet:
    file_name: str
    sheet_name: str  # "" for CSV
    kind: str | None  # "ledger" | "leads" | "survey" | None
    columns: dict[str, str]  # canonical column → header text as written
    meta_unit: str | None
    meta_date: object | None
    header_row: int  # 1-based row of the (last) header row; 0 when no header was found
    rows: list[RawRow] = field(default_factory=list)
    error: str | None = None
