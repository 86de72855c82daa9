"""Reader output types (contract: docs/design.md, "Readers")."""

from __future__ import annotations

from dataclasses import dataclass, field

OPTION_NUMBER = "option_number"  # RawSheet.answer_format of survey-platform exports


class ReadError(Exception):
    """The file as a whole cannot be read (unsupported type, corrupt, undecodable). Chinese message."""


@dataclass(frozen=True)
class CellError:
    """A cell that holds no usable value: a formula error (#DIV/0!, #REF!, #N/A …) or a formula
    whose result was never calculated and saved. Kept in the row so the row is reported, not
    read as blank."""

    text: str  # what the user sees in Excel, e.g. "#REF!" or "=SUM(A1:A3)（未计算）"
    message: str  # Chinese explanation


@dataclass(frozen=True)
class SheetNote:
    """A sheet-level fact the user must be told (hidden sheet, skipped footer rows, duplicate
    header columns …). severity: "错误" (rows not loaded) or "警告" (loaded)."""

    row: int | None
    column: str | None  # header text as written, if the note concerns one column
    raw_value: str | None
    message: str
    severity: str = "警告"
    rows_lost: int = 0  # rows of this sheet not loaded because of this note (counted as rejected)


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
    notes: list[SheetNote] = field(default_factory=list)
    hidden: str | None = None  # "hidden" / "veryhidden" for sheets hidden in Excel
    ignored_columns: list[str] = field(default_factory=list)  # header texts not imported (never stored)
    mapping_source: dict[str, str] = field(default_factory=dict)  # canonical → how it was matched
    column_index: dict[str, int] = field(default_factory=dict)  # canonical → 0-based column
    header_cells: list = field(default_factory=list)  # the (joined) header row, for saving an import profile
    header_rows: int = 1  # 2 when the header spans two rows
    profile: str | None = None  # name of the import profile (导入方案) applied to this sheet, if any
    answer_format: str | None = None  # survey sheets: "option_number" when numeric answers are option numbers
