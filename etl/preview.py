"""Preview of one uploaded file before it is committed: per sheet, the detected kind, header row,
column → field, the first rows as they would load and the counts that would load / be rejected.

Runs the same read → validate steps as a build (etl.build.collect_file), on this file alone,
with the user's one-off choices (overrides) applied."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from etl.build import BuildResult, collect_file, complainant_salt, finish
from etl.build_result import KIND_LABELS
from etl.config import Campaign
from etl.read import read_file
from etl.read.columns import column_letter
from etl.read.profiles import ImportProfile, load_profiles
from etl.read.sheet import EMPTY_SHEET
from etl.read.vocabulary import load_vocabulary, norm_header
from etl.validate.context import LoadError

PREVIEW_ROWS = 10


@dataclass
class ColumnChoice:
    index: int
    letter: str  # Excel column letter
    header: str  # header text as written
    field: str | None  # canonical field, None = 不导入
    how: str | None  # 词表 / 含义 / 包含 / 取值 / 测评维度 / 导入方案


@dataclass
class SheetPreview:
    sheet_name: str
    kind: str | None
    header_row: int  # 1-based, 0 when none was found
    header_rows: int
    header_cells: list
    columns: list[ColumnChoice]
    records: list[dict]  # first rows as they would be stored
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    errors: list[LoadError] = field(default_factory=list)
    error: str | None = None
    profile: str | None = None  # name of the saved import profile applied
    units: frozenset[str] = frozenset()  # unit_id of every row that will load (a unit account may upload only its own)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind or "", "无法判断")


def field_choices(kind: str, campaign: Campaign) -> list[str]:
    """Fields a column of this kind can be mapped to (survey: the campaign's dimensions too)."""
    fields = load_vocabulary().field_choices(kind)
    if kind == "survey":
        fields += [f"dim:{d}" for d in campaign.survey.dimensions]
    if kind == "leads":
        fields += ["phone_2", "phone_3"]
    return fields


def field_label(kind: str, name: str) -> str:
    return load_vocabulary().label(kind, name)


def override_for(kind: str, header_row: int, header_rows: int, header_cells: list,
                 columns: dict[int, str | None]) -> ImportProfile:
    """The user's choices for one sheet as a one-off profile (not saved)."""
    mapping = {norm_header(c): (columns.get(i) or "") for i, c in enumerate(header_cells)
               if norm_header(c) and i in columns}
    return ImportProfile("本次预览", kind, "", mapping, header_rows, header_row)


def preview_file(path: Path, campaign: Campaign, overrides: dict[str, ImportProfile] | None = None,
                 profiles: list[ImportProfile] | None = None) -> list[SheetPreview]:
    """Raises etl.read.ReadError when the file cannot be read at all."""
    profiles = load_profiles() if profiles is None else profiles
    read = read_file(path, campaign, profiles, overrides)  # raises ReadError: the page says why
    sheets = [s for s in read if s.error != EMPTY_SHEET]
    result = BuildResult()
    collect_file(campaign, path, result, complainant_salt(), {}, profiles, {}, overrides, sheets=read)
    finish(result)
    subs = {s.sheet_name: s for s in result.submissions}
    out = []
    for sheet in sheets:
        sub = subs.get(sheet.sheet_name)
        by_idx = {i: name for name, i in sheet.column_index.items()}
        columns = [ColumnChoice(i, column_letter(i), str(c), by_idx.get(i), sheet.mapping_source.get(by_idx.get(i, "")))
                   for i, c in enumerate(sheet.header_cells) if norm_header(c)]
        records: list[dict] = []
        units: frozenset[str] = frozenset()
        if sub is not None and sheet.kind is not None:
            table = getattr(result, sheet.kind)
            mine = [r for r in table.rows() if r["submission_id"] == sub.submission_id]
            records = mine[:PREVIEW_ROWS]
            units = frozenset(str(r.get("unit_id") or "") for r in mine)
        errors = [e for e in result.errors if sub is not None and e.submission_id == sub.submission_id]
        out.append(SheetPreview(
            sheet.sheet_name, sheet.kind, sheet.header_row, sheet.header_rows, sheet.header_cells, columns, records,
            sub.rows_read if sub else 0, sub.rows_loaded if sub else 0, sub.rows_rejected if sub else 0,
            errors, sheet.error, sheet.profile, units))
    return out
