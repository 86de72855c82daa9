"""Build the dashboard database from the units' files: read → validate → dedupe → load."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.collected import Collected
from etl.config import PROJECT_ROOT, Campaign, load_campaign
from etl.load import write_database
from etl.read import read_file
from etl.read.sheet import EMPTY_SHEET
from etl.validate.context import ERROR, WARNING, LoadError, RowContext, RowRejected, Submission
from etl.validate.dedupe import drop_duplicate_leads, drop_duplicate_snapshots
from etl.validate.leads import validate_lead_row
from etl.validate.ledger import validate_ledger_row
from etl.validate.submission import resolve_as_of, resolve_reporter
from etl.validate.survey import validate_survey_row

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
TABLE_OF_KIND = {"ledger": "ledger_snapshots", "leads": "leads", "survey": "survey_responses"}
KIND_LABELS = {"ledger": "整改台账", "leads": "线索登记", "survey": "满意度测评"}
DEFAULT_SALT = "dev-sample-salt-请在部署时设置DASHBOARD_SALT"

Progress = Callable[[int, int, str], None]


@dataclass
class CampaignSources:
    campaign: Campaign
    source_dirs: list[Path]


@dataclass
class BuildResult:
    ledger: Collected = field(default_factory=lambda: Collected("ledger_snapshots"))
    leads: Collected = field(default_factory=lambda: Collected("leads"))
    survey: Collected = field(default_factory=lambda: Collected("survey_responses"))
    submissions: list[Submission] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    def record_count(self) -> int:
        return len(self.ledger) + len(self.leads) + len(self.survey)

    def summary_rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind label, submissions, rows read, rows loaded, rows rejected) per kind."""
        out = []
        for kind, label in KIND_LABELS.items():
            subs = [s for s in self.submissions if s.kind == kind]
            out.append((label, len(subs), sum(s.rows_read for s in subs),
                        sum(s.rows_loaded for s in subs), sum(s.rows_rejected for s in subs)))
        return out

    def summary_text(self) -> str:
        lines = [f"共处理文件 {self.files} 个，用时 {self.seconds:.1f} 秒"]
        for label, n, read, loaded, rejected in self.summary_rows():
            lines.append(f"  {label}：{n} 张表，读取 {read} 行，导入 {loaded} 行，拒绝 {rejected} 行")
        n_err = sum(1 for e in self.errors if e.severity == ERROR)
        n_warn = sum(1 for e in self.errors if e.severity == WARNING)
        lines.append(f"  问题记录：错误 {n_err} 条（整行未导入），警告 {n_warn} 条（已导入，个别字段留空）")
        return "\n".join(lines)


def complainant_salt() -> str:
    return os.environ.get("DASHBOARD_SALT") or DEFAULT_SALT


def input_files(source_dirs: list[Path]) -> list[Path]:
    files = []
    for d in source_dirs:
        if d.is_dir():
            files += [p for p in d.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                      and not p.name.startswith(("~$", "."))]
    return sorted(files, key=lambda p: (p.name, str(p)))


def _sheet_records(ctx: RowContext, kind: str, rows, salt: str) -> list[dict]:
    records = []
    for raw in rows:
        try:
            if kind == "ledger":
                records.append(validate_ledger_row(ctx, raw.source_row, raw.values))
            elif kind == "leads":
                records.append(validate_lead_row(ctx, raw.source_row, raw.values, salt))
            else:
                records.extend(validate_survey_row(ctx, raw.source_row, raw.values))
        except RowRejected:
            pass
    return records


def _load_sheet(campaign: Campaign, path: Path, file_sha: str, sheet, result: BuildResult, salt: str,
                memo: dict) -> None:
    sub_id = hashlib.sha256(f"{campaign.id}|{file_sha}|{sheet.sheet_name}".encode()).hexdigest()[:16]
    unit_id, unit_problem = resolve_reporter(sheet.meta_unit, path.name, campaign)
    as_of, as_of_source = resolve_as_of(sheet.meta_date, path.name)
    sub = Submission(sub_id, campaign.id, path.name, sheet.sheet_name, sheet.kind, unit_id, as_of,
                     as_of_source, file_sha, rows_read=len(sheet.rows))
    result.submissions.append(sub)
    ctx = RowContext(campaign, sub, sheet.columns, memo=memo)
    if unit_problem:
        ctx.add_error(sheet.header_row, "填报单位", sheet.meta_unit, unit_problem,
                      WARNING if unit_id else ERROR)
    if sheet.kind is None:
        ctx.add_error(sheet.header_row or None, None, None,
                      (sheet.error or "未能识别表格类型") + "，该工作表未导入", WARNING)
        records = []
    elif sheet.kind == "ledger" and (unit_id is None or as_of is None):
        missing = "填报单位" if unit_id is None else "填报时间"
        ctx.add_error(sheet.header_row, missing, sheet.meta_unit if unit_id is None else sheet.meta_date,
                      f"整改台账缺少可识别的{missing}（表头和文件名中均未找到），本表 {len(sheet.rows)} 行未导入")
        records = []
    else:
        _warn_unknown_dimensions(ctx, sheet)
        records = _sheet_records(ctx, sheet.kind, sheet.rows, salt)
    result.errors.extend(ctx.errors)
    if sheet.kind in TABLE_OF_KIND:
        getattr(result, sheet.kind).add(records)


def _warn_unknown_dimensions(ctx: RowContext, sheet) -> None:
    if sheet.kind != "survey":
        return
    for column, label in sheet.columns.items():
        if column.startswith("dim:") and column[4:] not in ctx.campaign.survey.dimensions:
            ctx.add_error(sheet.header_row, column, label,
                          f"“{label}”不是本专项整治配置的测评维度（{'、'.join(ctx.campaign.survey.dimensions)}），该列未导入",
                          WARNING)


def _count_loaded(result: BuildResult) -> None:
    loaded: dict[str, set] = {}
    for collected in (result.ledger, result.leads, result.survey):
        for sub_id, row in collected.loaded_rows():
            loaded.setdefault(sub_id, set()).add(row)
    for sub in result.submissions:
        sub.rows_loaded = len(loaded.get(sub.submission_id, ()))
        sub.rows_rejected = sub.rows_read - sub.rows_loaded


def collect(sources: list[CampaignSources], progress: Progress | None = None, salt: str | None = None) -> BuildResult:
    started = time.perf_counter()
    salt = salt or complainant_salt()
    result = BuildResult()
    jobs = [(cs.campaign, path) for cs in sources for path in input_files(cs.source_dirs)]
    seen_sha: dict[tuple[str, str], str] = {}
    memo: dict = {}
    for i, (campaign, path) in enumerate(jobs, 1):
        result.files += 1
        file_sha = hashlib.sha256(path.read_bytes()).hexdigest()
        first = seen_sha.setdefault((campaign.id, file_sha), path.name)
        if first != path.name:
            result.errors.append(LoadError(campaign.id, None, path.name, "", None, None, None,
                                           f"文件内容与“{first}”完全相同，已跳过，不重复计入", WARNING))
            continue
        try:
            sheets = read_file(path)
        except Exception as exc:  # a broken file must not stop the others
            result.errors.append(LoadError(campaign.id, None, path.name, "", None, None, None,
                                           f"无法读取文件：{exc}"))
            continue
        before = result.record_count()
        for sheet in sheets:
            if sheet.kind is None and not sheet.rows and sheet.error == EMPTY_SHEET:
                continue  # blank Sheet2/Sheet3 tabs: nothing in them to load or to lose
            _load_sheet(campaign, path, file_sha, sheet, result, salt, memo)
        if progress:
            added = result.record_count() - before
            progress(i, len(jobs), f"{path.name}：{added} 条记录")
    drop_duplicate_snapshots(result.ledger, result.submissions, result.errors)
    drop_duplicate_leads(result.leads, result.submissions, result.errors)
    _count_loaded(result)
    result.seconds = time.perf_counter() - started
    return result


def build(sources: list[CampaignSources], db_path: Path, progress: Progress | None = None,
          salt: str | None = None) -> BuildResult:
    """Collect every file, then write a new database and swap it in; on failure the old file stays."""
    started = time.perf_counter()
    result = collect(sources, progress, salt)
    write_database(Path(db_path), [cs.campaign for cs in sources], result)
    result.seconds = time.perf_counter() - started
    return result


def sample_sources(sample_root: Path | None = None, uploads_root: Path | None = None) -> list[CampaignSources]:
    """Every configured campaign with its bundled sample folder and its uploads folder."""
    from etl.config import list_campaigns

    sample_root = sample_root or PROJECT_ROOT / "data" / "sample"
    uploads_root = uploads_root or PROJECT_ROOT / "data" / "uploads"
    return [CampaignSources(load_campaign(cid), [sample_root / cid, uploads_root / cid])
            for cid in list_campaigns()]
