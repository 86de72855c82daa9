"""Read and validate one file on its own: its submissions, load errors and validated rows (a FileResult),
before any cross-file step. What the build cache stores and the reading processes return."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from etl.build_result import BuildResult, FileResult
from etl.config import Campaign
from etl.read import CellError, ReadError, read_file
from etl.read.header import scanned_bitmap, scanned_cells_recorded
from etl.read.profiles import EVERY_TEXT, ImportProfile
from etl.read.sheet import EMPTY_SHEET, HIDDEN_LABEL
from etl.validate.context import ERROR, WARNING, LoadError, RowContext, RowRejected, Submission
from etl.validate.lead_columns import plain_lead_records
from etl.validate.leads import validate_lead_row
from etl.validate.ledger import validate_ledger_row
from etl.validate.submission import missing_ledger_context, resolve_as_of_checked, resolve_reporter
from etl.validate.survey import validate_survey_row
from etl.validate.survey_scores import validate_survey_score_row

TABLE_OF_KIND = {"ledger": "ledger_snapshots", "leads": "leads", "survey": "survey_responses",
                 "survey_scores": "survey_unit_scores"}


def _reject_cell_errors(ctx: RowContext, raw) -> None:
    """A formula error or an uncalculated formula in a mapped cell: reported, the row not loaded."""
    bad = [(col, v) for col, v in raw.values.items() if isinstance(v, CellError)]
    for col, cell in bad:
        ctx.add_error(raw.source_row, col, cell.text, f"{cell.message}，本行未导入")
    if bad:
        raise RowRejected


RECORD_BATCH = 10_000  # validated rows handed to the table at a time: a 250,000-row register's dicts took 430 MB


def _validated(ctx: RowContext, kind: str, rows: list, salt: str, release: bool) -> Iterator[dict]:
    """The sheet's records, row by row; release: each raw row is dropped from rows once validated (the
    rows were read for this build alone), so a large sheet's raw and validated rows are not all held at once."""
    for start in range(0, len(rows), RECORD_BATCH):
        batch = rows[start:start + RECORD_BATCH]
        if release:
            rows[start:start + RECORD_BATCH] = [None] * len(batch)
        # a lead register's plain rows a column at a time; the others (None) one by one, in order
        plain = plain_lead_records(ctx, batch, salt) if kind == "leads" else [None] * len(batch)
        for raw, record in zip(batch, plain, strict=True):
            if record is not None:
                yield record
                continue
            try:
                _reject_cell_errors(ctx, raw)
                if kind == "ledger":
                    yield validate_ledger_row(ctx, raw.source_row, raw.values)
                elif kind == "leads":
                    yield validate_lead_row(ctx, raw.source_row, raw.values, salt)
                elif kind == "survey_scores":
                    yield validate_survey_score_row(ctx, raw.source_row, raw.values)
                else:
                    yield from validate_survey_row(ctx, raw.source_row, raw.values)
            except RowRejected:
                pass


def _add_records(table, records: Iterator[dict]) -> set[str]:
    """Into the Collected table in batches; returns the units the records name."""
    units: set[str] = set()
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if record.get("unit_id"):
            units.add(record["unit_id"])
        if len(batch) >= RECORD_BATCH:
            table.add(batch)
            batch = []
    table.add(batch)
    return units


def _load_sheet(campaign: Campaign, path: Path, file_sha: str, sheet, result: BuildResult, salt: str,
                memo: dict, release: bool = False) -> None:
    sub_id = hashlib.sha256(f"{campaign.id}|{file_sha}|{sheet.sheet_name}".encode()).hexdigest()[:16]
    unit_id, unit_problem = resolve_reporter(sheet.meta_unit, path.name, campaign)
    as_of, as_of_source, as_of_problem = resolve_as_of_checked(sheet.meta_date, path.name, campaign)
    lost = sum(n.rows_lost for n in sheet.notes)
    sub = Submission(sub_id, campaign.id, path.name, sheet.sheet_name, sheet.kind, unit_id, as_of,
                     as_of_source, file_sha, rows_read=len(sheet.rows) + lost,
                     columns_ignored="、".join(sheet.ignored_columns) or None,
                     mapping_profile=sheet.profile)
    result.submissions.append(sub)
    ctx = RowContext(campaign, sub, sheet.columns, memo=memo, answer_format=sheet.answer_format)
    for note in sheet.notes:
        ctx.add_error(note.row, note.column, note.raw_value, note.message, note.severity)
    if sheet.hidden and sheet.kind is not None:
        ctx.add_error(None, None, None, f"工作表“{sheet.sheet_name}”在 Excel 中是{HIDDEN_LABEL[sheet.hidden]}的，"
                      "已照常导入；如果它不是报送数据，请删除该工作表后重新上传", WARNING)
    if unit_problem:
        ctx.add_error(sheet.header_row, "填报单位", sheet.meta_unit, unit_problem,
                      WARNING if unit_id else ERROR)
    if as_of_problem:
        ctx.add_error(sheet.header_row, "填报时间", sheet.meta_date, as_of_problem, WARNING)
    missing = missing_ledger_context(sheet.columns, unit_id, as_of) if sheet.kind == "ledger" else None
    units: set[str] = set()
    if sheet.kind is None:
        pass  # the reader's note says why, and counts the rows as not imported
    elif missing:
        # every row gets its own entry: rows rejected = 错误 entries, for the whole build
        raw = sheet.meta_unit if missing == "填报单位" else sheet.meta_date
        for row in sheet.rows:
            ctx.add_error(row.source_row, missing, raw,
                          f"整改台账缺少可识别的{missing}（表头、单位列和文件名中均未找到），本表 {len(sheet.rows)} 行均未导入")
    elif sheet.kind in TABLE_OF_KIND:
        _warn_unknown_dimensions(ctx, sheet)
        units = _add_records(getattr(result, sheet.kind), _validated(ctx, sheet.kind, sheet.rows, salt, release))
    result.errors.extend(ctx.errors)
    if sub.unit_id is None and len(units) == 1:
        sub.unit_id = units.pop()  # a per-row unit column naming one unit: the sheet is that unit's report


def _warn_unknown_dimensions(ctx: RowContext, sheet) -> None:
    if sheet.kind != "survey":
        return
    for column, label in sheet.columns.items():
        if column.startswith("dim:") and column[4:] not in ctx.campaign.survey.dimensions:
            ctx.add_error(sheet.header_row, column, label,
                          f"“{label}”不是本专项整治配置的测评维度（{'、'.join(ctx.campaign.survey.dimensions)}），该列未导入",
                          WARNING)


def unreadable_reason(exc: Exception) -> str:
    """Why a file could not be read, for people: ReadError messages are written in Chinese;
    any other exception carries library text, which is summarised instead of shown."""
    if isinstance(exc, ReadError):
        return str(exc)
    return "文件内容无法解析（可能已损坏、被加密，或与扩展名不符），请用 Excel 打开确认后另存为 .xlsx 再上传"


def _failed_outside_the_file(exc: Exception) -> bool:
    """Out of memory, a disk or permission error: the next build tries the file again (not cached)."""
    return isinstance(exc, (MemoryError, OSError)) and not isinstance(exc, ReadError)


def read_one(campaign: Campaign, path: Path, file_sha: str, salt: str, profiles: list[ImportProfile],
             memo: dict, overrides: dict[str, ImportProfile] | None = None, sheets: list | None = None,
             convert: bool = True) -> FileResult:
    """Read and validate one file on its own (no cross-file step): what the build cache stores (not with
    overrides: a one-off choice is in no cache key). sheets: the file's sheets when the caller has read it
    already (the upload preview). convert False: the rows are left in FileResult.collected, unconverted."""
    part = BuildResult()
    release = sheets is None  # rows read here are dropped as they are validated (the caller's are kept)
    scanned = EVERY_TEXT
    with scanned_cells_recorded() as cells:
        try:
            if sheets is None:
                sheets = read_file(path, campaign, profiles, overrides)
                scanned = scanned_bitmap(cells)
        except Exception as exc:  # a broken file must not stop the others
            error = LoadError(campaign.id, None, path.name, "", None, None, None,
                              f"无法读取文件，整个文件未导入：{unreadable_reason(exc)}")
            return FileResult(errors=[error], cacheable=not _failed_outside_the_file(exc) and not overrides,
                            header_texts=scanned_bitmap(cells))
    for sheet in sheets:
        if sheet.error == EMPTY_SHEET:
            continue  # blank Sheet2/Sheet3 tabs: nothing in them to load or to lose
        _load_sheet(campaign, path, file_sha, sheet, part, salt, memo, release)
    tables = {c.table: c for c in part.tables() if len(c)}
    return FileResult(part.submissions, part.errors, {t: c.arrow() for t, c in tables.items()} if convert else {},
                      cacheable=not overrides, header_texts=scanned, collected={} if convert else tables)
