"""What a build collected: validated rows per table, submissions, load errors — and its summary in Chinese
(the CLI, the data page and the upload preview all print this one summary)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from etl.collected import Collected
from etl.read.profiles import EVERY_TEXT
from etl.validate.context import ERROR, WARNING, LoadError, Submission

KIND_LABELS = {"ledger": "整改台账", "leads": "线索登记", "survey": "满意度测评", "survey_scores": "满意度汇总"}


@dataclass
class BuildResult:
    ledger: Collected = field(default_factory=lambda: Collected("ledger_snapshots"))
    leads: Collected = field(default_factory=lambda: Collected("leads"))
    survey: Collected = field(default_factory=lambda: Collected("survey_responses"))
    survey_scores: Collected = field(default_factory=lambda: Collected("survey_unit_scores"))
    submissions: list[Submission] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    files: int = 0
    files_from_cache: int = 0  # files unchanged since the last build: their stored result was used
    # set when the records stayed in the database (etl/db_increment.py): its records and duplicate rows
    records_in_database: int | None = None
    not_in_place: str | None = None  # why a database in place was written anew rather than updated (Chinese)
    seconds: float = 0.0

    def add_file(self, part: FileResult) -> None:
        """One file's submissions, load errors and rows, after the files before it."""
        self.submissions += part.submissions
        self.errors += part.errors
        for collected in self.tables():
            if collected.table in part.rows:
                collected.add_arrow(part.rows[collected.table])

    def tables(self) -> list[Collected]:
        return [self.ledger, self.leads, self.survey, self.survey_scores]

    @property
    def updated_in_place(self) -> bool:
        return self.records_in_database is not None

    def record_count(self) -> int:
        if self.records_in_database is not None:
            return self.records_in_database
        return len(self.ledger) + len(self.leads) + len(self.survey) + len(self.survey_scores)

    def sheets_not_loaded(self) -> list[Submission]:
        """Sheets of which nothing was loaded although they held rows (kind unknown, unit missing …)."""
        return [s for s in self.submissions if s.rows_loaded == 0 and s.rows_rejected > 0]

    def files_not_loaded(self) -> list[LoadError]:
        """Whole files not read (corrupt, unsupported, lock or hidden files)."""
        return [e for e in self.errors if e.submission_id is None and "未导入" in e.message]

    def summary_rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind label, submissions, rows read, rows loaded, rows rejected) per kind."""
        out = []
        for kind, label in KIND_LABELS.items():
            subs = [s for s in self.submissions if s.kind == kind]
            out.append((label, len(subs), sum(s.rows_read for s in subs),
                        sum(s.rows_loaded for s in subs), sum(s.rows_rejected for s in subs)))
        return out

    def summary_text(self) -> str:
        kept = "数据库中它们的数据原样保留" if self.updated_in_place else "沿用上次的读取结果"
        lines = [f"共处理文件 {self.files} 个，用时 {self.seconds:.1f} 秒"
                 + (f"（其中 {self.files_from_cache} 个自上次重建以来未改动，{kept}）" if self.files_from_cache else "")]
        for label, n, read, loaded, rejected in self.summary_rows():
            lines.append(f"  {label}：{n} 张表，读取 {read} 行，导入 {loaded} 行，未导入 {rejected} 行")
        lost = self.sheets_not_loaded()
        if lost:
            lines.append(f"  未导入的工作表 {len(lost)} 张（共 {sum(s.rows_rejected for s in lost)} 行）：" + "；".join(
                f"{s.file_name}" + (f"〔{s.sheet_name}〕" if s.sheet_name else "") for s in lost[:5])
                + ("…" if len(lost) > 5 else ""))
        files = self.files_not_loaded()
        if files:
            lines.append(f"  未导入的文件 {len(files)} 个：" + "；".join(e.file_name for e in files[:5])
                         + ("…" if len(files) > 5 else ""))
        n_err = sum(1 for e in self.errors if e.severity == ERROR)
        n_warn = sum(1 for e in self.errors if e.severity == WARNING)
        lines.append(f"  问题记录：错误 {n_err} 条（该行或该表未导入），警告 {n_warn} 条（已导入，但有字段留空或需核对）")
        return "\n".join(lines)


@dataclass
class FileResult:
    """What reading and validating one file gave, before the cross-file steps (duplicates, counts):
    its submissions (rows_loaded not yet counted), load errors and validated rows per table.
    cacheable: False when the file failed for a reason outside it (memory, disk), to be tried again.
    header_texts: the texts of the rows find_header scanned in the file (etl.read.profiles.texts_bitmap;
    EVERY_TEXT when not known): an import profile can change the result only if they hold all its header texts."""
    submissions: list[Submission] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    rows: dict[str, pa.Table] = field(default_factory=dict)  # table name → rows (tables with rows only)
    # instead of rows, in a reading process: the rows not yet converted (read_pool converts a chunk's at once)
    collected: dict[str, Collected] = field(default_factory=dict)
    cacheable: bool = True
    header_texts: bytes = EVERY_TEXT

    def record_count(self) -> int:
        return sum(t.num_rows for t in self.rows.values())
