"""Header row detection (one or two rows), sheet kind, and 填报单位/填报时间 above the header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import or_

from etl.config import Campaign

from .columns import (
    BY_PROFILE,
    BY_VALUES,
    KINDS,
    ColumnMap,
    candidates,
    column_letter,
    count_known,
    map_columns,
    maybe_dimension,
    qualifies,
)
from .grid import clean
from .profiles import EVERY_TEXT, SKIP, ImportProfile, applied_by_fingerprint, as_bitmap, header_fingerprint, text_bits
from .vocabulary import ON_VOCABULARY_CHANGE, load_vocabulary, norm_header

SCAN_ROWS = 15  # the header must start within the first 15 rows
MIN_KNOWN = 2  # a header row has at least this many recognised fields (and one of the kind's key sets)
MIN_SUBHEADER = 2  # the other row of a two-row header has at least this many
SAMPLE_ROWS = 30  # data rows looked at to match columns by their values


@dataclass
class Header:
    kind: str | None
    top: int  # 0-based grid index of the first header row
    bottom: int  # 0-based grid index of the last header row; data starts below it
    columns: dict[str, int]  # canonical → column index
    texts: dict[str, str]  # canonical → header text as written
    error: str | None = None
    cells: list = field(default_factory=list)  # the (joined) header row
    column_map: ColumnMap | None = None
    profile: ImportProfile | None = None


def _join(kind: str, upper: list, lower: list, campaign: Campaign | None) -> list:
    """Per column: the lower row's name if recognised, else the upper's, else whatever text there is."""
    width = max(len(upper), len(lower))
    upper = upper + [None] * (width - len(upper))
    lower = lower + [None] * (width - len(lower))
    out = []
    for up, low in zip(upper, lower, strict=True):
        if candidates(kind, low, campaign) or (not candidates(kind, up, campaign) and low is not None):
            out.append(low)
        else:
            out.append(up)
    return out


def _fields(kind: str, cells: list, campaign: Campaign | None) -> set[str]:
    found = {c[1] for cell in cells for c in candidates(kind, cell, campaign)}
    if kind == "survey" and campaign is None:
        # Without a campaign the dimensions are not known: every other header may be one.
        found |= {"dim:" + norm_header(cell) for cell in cells if maybe_dimension(cell)}
    return found


# Title, meta and header rows recur in every file of a template: their scores are kept, keyed by
# the row's texts and the campaign's dimensions (which decide survey matches).
_ROW_SCORES: dict[tuple, tuple[float, bool]] = {}
_ROW_SCORES_MAX = 4096
ON_VOCABULARY_CHANGE.append(_ROW_SCORES.clear)


def _row_score(row: list, campaign: Campaign | None) -> tuple[float, bool]:
    """(fields recognised for the best kind, whether the row qualifies as some kind's header);
    a row that qualifies beats one that does not."""
    cells = tuple([c for c in row if c.__class__ is str])  # numbers and dates are never header text
    if len(cells) < MIN_KNOWN:
        return 0.0, False
    key = (cells, campaign.survey.dimensions if campaign is not None else None)
    score = _ROW_SCORES.get(key)
    if score is None:
        if len(_ROW_SCORES) >= _ROW_SCORES_MAX:
            _ROW_SCORES.clear()
        score = _ROW_SCORES[key] = _text_row_score(list(cells), campaign)
    return score


def _row_scores(scan: list[list], campaign: Campaign | None = None) -> list[float]:
    """Scores of the first SCAN_ROWS rows; scanning stops two rows below the first row that
    qualifies as a header (the second row of a two-row header is the most that can follow)."""
    scores: list[float] = []
    found = None
    for r, row in enumerate(scan[:SCAN_ROWS]):
        if found is not None and r > found + 2:
            break
        score, qualified = _row_score(row, campaign)
        scores.append(score)
        if found is None and qualified and score >= MIN_KNOWN:
            found = r
    return scores


# The best kind of a header span (one row, or two joined) is kept like the row scores: a template's header rows
# recur in thousands of files.
_SPAN_CHOICES: dict[tuple, tuple[float, str, tuple] | None] = {}
ON_VOCABULARY_CHANGE.append(_SPAN_CHOICES.clear)


def _span_choice(upper: list, lower: list | None, upper_is_best: bool,
                 campaign: Campaign | None) -> tuple[float, str, tuple] | None:
    """(fields recognised, kind, header cells) of the kind that reads the span best (the first in KINDS on a
    tie; -1 when the span qualifies as no kind's header); None when the row joined to the best row is no
    header row (a 填报单位 line, or too few fields)."""
    key = (tuple(upper), tuple(lower) if lower is not None else None, upper_is_best,
           campaign.survey.dimensions if campaign is not None else None)
    try:
        return _SPAN_CHOICES[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell (a formula error object): worked out each time
        return _work_out_span(upper, lower, upper_is_best, campaign)
    if len(_SPAN_CHOICES) >= _ROW_SCORES_MAX:
        _SPAN_CHOICES.clear()
    found = _SPAN_CHOICES[key] = _work_out_span(upper, lower, upper_is_best, campaign)
    return found


def _work_out_span(upper: list, lower: list | None, upper_is_best: bool,
                   campaign: Campaign | None) -> tuple[float, str, tuple] | None:
    if lower is not None:
        other = lower if upper_is_best else upper
        if is_meta_row(other) or max(count_known(k, other, campaign) for k in KINDS) < MIN_SUBHEADER:
            return None
    choice = None
    for kind in KINDS:
        cells = upper if lower is None else _join(kind, upper, lower, campaign)
        known = count_known(kind, cells, campaign)
        if not qualifies(kind, _fields(kind, cells, campaign)):
            known = -1
        if choice is None or known > choice[0]:
            choice = (known, kind, tuple(cells))
    return choice


def _text_row_score(cells: list[str], campaign: Campaign | None) -> tuple[float, bool]:
    if is_meta_row(cells):
        return 0.0, False
    best, qualified = 0.0, False
    for k in KINDS:
        known = count_known(k, cells, campaign)
        if known > 0:
            ok = qualifies(k, _fields(k, cells, campaign))
            best = max(best, known + (0.25 if ok else 0.0))
            qualified = qualified or ok
    return best, qualified


def _cleaned(rows: list[list]) -> list[list]:
    # grid.clean written inline: one function call per cell is most of the cost of a small sheet.
    return [[(v.strip() or None) if v.__class__ is str else (int(v) if v.__class__ is float and v.is_integer() else v)
             for v in row] for row in rows]


def _samples(rows: list[list], scan: list[list], start: int) -> list[list]:
    """rows[start : start + SAMPLE_ROWS] cleaned; scan (rows[:len(scan)] cleaned) is reused where they overlap."""
    end = start + SAMPLE_ROWS
    if start >= len(scan):
        return _cleaned(rows[start:end])
    return scan[start:end] + _cleaned(rows[len(scan):end])


def _finish(kind: str, top: int, bottom: int, cells: list, rows: list[list], campaign: Campaign | None,
            profile: ImportProfile | None, scan: list[list]) -> Header:
    if kind == SKIP:
        return Header(None, top, bottom, {}, {}, f"已按导入方案“{profile.name}”设为不导入", cells, None, profile)
    samples = _samples(rows, scan, bottom + 1)
    cmap = map_columns(kind, cells, campaign, samples)
    if profile is not None:
        _apply_profile(cmap, cells, profile)
    texts = {canon: str(cells[idx]) if idx < len(cells) and cells[idx] is not None else f"第 {column_letter(idx)} 列"
             for canon, idx in cmap.columns.items()}
    return Header(kind, top, bottom, dict(cmap.columns), texts, None, cells, cmap, profile)


def _apply_profile(cmap: ColumnMap, cells: list, profile: ImportProfile) -> None:
    """The user's choices win over the vocabulary; columns the profile does not name keep theirs."""
    by_idx = {idx: name for name, idx in cmap.columns.items()}
    for idx, cell in enumerate(cells):
        text = norm_header(cell)
        if text not in profile.columns:
            continue
        name = profile.columns[text]
        by_idx.pop(idx, None)
        if name:
            by_idx = {i: n for i, n in by_idx.items() if n != name}
            by_idx[idx] = name
            cmap.how[name] = BY_PROFILE
    cmap.columns = {name: idx for idx, name in sorted(by_idx.items())}
    cmap.ignored = [i for i, c in enumerate(cells) if i not in by_idx and norm_header(c)
                    and norm_header(c) not in load_vocabulary().ignore]
    cmap.duplicates = [d for d in cmap.duplicates if d[1] in by_idx]


def _profile_span(scan: list[list], profiles: list[ImportProfile],
                  campaign: Campaign | None) -> tuple[int, int, list, ImportProfile] | None:
    """The first row (or pair of rows) whose fingerprint a saved profile was made for. A two-row
    header was saved as joined for its kind, so the pair is joined the same way for each kind."""
    by_fp = applied_by_fingerprint(profiles)
    if not by_fp:
        return None
    for r, row in enumerate(scan[:SCAN_ROWS]):
        profile = by_fp.get(header_fingerprint(row))
        if profile and profile.header_rows == 1:
            return r, r, row, profile
        if r == 0:
            continue
        for kind in KINDS:
            joined = _join(kind, scan[r - 1], row, campaign)
            profile = by_fp.get(header_fingerprint(joined))
            if profile and profile.header_rows == 2:
                return r - 1, r, joined, profile
    return None


def _header_completed_by_values(rows: list[list], scan: list[list], campaign: Campaign | None) -> Header | None:
    """A header with one recognised field whose unit column is told by its values only (a summary
    table: a blank corner cell above the unit names, then 满意率). Tried only when no row qualifies."""
    if campaign is None:
        return None
    vocab = load_vocabulary()
    for r, row in enumerate(scan[:SCAN_ROWS]):
        if is_meta_row(row) or not any(c.__class__ is str for c in row):
            continue
        for kind in KINDS:
            if kind not in vocab.unit_by_values_kinds or count_known(kind, row, campaign) < 1:
                continue
            cmap = map_columns(kind, row, campaign, _samples(rows, scan, r + 1))
            if cmap.how.get("unit") == BY_VALUES and qualifies(kind, cmap.columns):
                return _finish(kind, r, r, row, rows, campaign, None, scan)
    return None


# The cells of the rows a saved profile is matched against (every find_header call while a file is read):
# the build cache re-reads a file for a new or changed profile only if they hold all its header texts.
_SCANNED: ContextVar[set | None] = ContextVar("scanned_header_cells", default=None)


@contextmanager
def scanned_cells_recorded() -> Iterator[set]:
    """The set filled with every cell (None left out) of the first SCAN_ROWS rows find_header looks at."""
    cells: set = set()
    token = _SCANNED.set(cells)
    try:
        yield cells
    finally:
        _SCANNED.reset(token)


_UNHASHABLE = object()  # a cell that cannot go into the set was seen: any text may have been


def _record_scanned(scan: list[list]) -> None:
    cells = _SCANNED.get()
    if cells is not None:
        try:
            cells.update(*scan)
        except TypeError:  # (what got in before the unhashable cell is a subset of what the rows add)
            for row in scan:
                try:
                    cells.update(row)
                except TypeError:
                    cells.add(_UNHASHABLE)
        cells.discard(None)


# Bits of a str cell (most cells), as _cell_bits gives them: a plain dict costs less than its typed lru_cache.
_TEXT_BITS: dict[str, int] = {}
_TEXT_BITS_MAX = 65536


def scanned_bitmap(cells: set) -> bytes:
    """The recorded cells' normalised texts as a profiles.texts_bitmap."""
    if _UNHASHABLE in cells:
        return EVERY_TEXT
    memo = _TEXT_BITS
    bits = 0
    for cell in cells:
        if cell.__class__ is str:
            try:
                bits |= memo[cell]
            except KeyError:
                if len(memo) >= _TEXT_BITS_MAX:
                    memo.clear()
                bits |= memo.setdefault(cell, text_bits(norm_header(cell)))
        else:
            bits |= _cell_bits(cell)
    return as_bitmap(bits)


@lru_cache(maxsize=65536, typed=True)
def _cell_bits(cell: object) -> int:
    """Trap: a set keeps one of 1, 1.0 and True (equal, one hash), whose texts differ: a number counts as each."""
    if cell.__class__ is str:
        return text_bits(norm_header(cell))
    if cell.__class__ in (int, float, bool):
        return reduce(or_, (text_bits(norm_header(n)) for n in _equal_numbers(cell)), 0)
    return text_bits(norm_header(cell))


def _equal_numbers(n: float) -> list:
    out: list = [n, float(n)]
    if float(n).is_integer():
        out.append(int(n))
        if n in (0, 1):
            out.append(bool(n))
    return out


def find_header(rows: list[list], campaign: Campaign | None = None, profiles: list[ImportProfile] | None = None,
                override: ImportProfile | None = None) -> Header | None:
    """None when no row in the first SCAN_ROWS looks like a header of any kind.

    Order: a one-off override (header row chosen by the user) → a saved profile whose header
    fingerprint matches a row → the vocabulary."""
    scan = _cleaned(rows[: SCAN_ROWS + 1])
    _record_scanned(scan[:SCAN_ROWS])  # (the rows _profile_span matches saved profiles in)
    if override is not None and override.header_row:
        bottom = min(max(override.header_row - 1, 0), max(len(rows) - 1, 0))
        top = max(bottom - (override.header_rows - 1), 0)
        row = [clean(v) for v in rows[bottom]] if rows else []
        cells = row if top == bottom else _join(override.kind if override.kind != SKIP else "ledger",
                                                [clean(v) for v in rows[top]], row, campaign)
        return _finish(override.kind, top, bottom, cells, rows, campaign, override, scan)
    hit = _profile_span(scan, list(profiles or ()), campaign)
    if hit is not None:
        top, bottom, cells, profile = hit
        return _finish(profile.kind, top, bottom, cells, rows, campaign, profile, scan)

    scores = _row_scores(scan, campaign)
    if not scores or max(scores) < MIN_KNOWN:
        return _header_completed_by_values(rows, scan, campaign)
    best = scores.index(max(scores))

    # Candidate (top, bottom) spans: the best row alone, or joined with the row above / below
    # (Fuyang annex 3: 整改问题 merged over 问题方面/表现形式/具体案例 in the row below).
    spans = [(best, best)]
    if best > 0:
        spans.append((best - 1, best))
    if best + 1 < len(scan):
        spans.append((best, best + 1))
    choice: tuple[float, int, int, str, list] | None = None  # (known, top, bottom, kind, cells)
    for top, bottom in spans:
        best_kind = _span_choice(scan[top], scan[bottom] if bottom != top else None, top == best, campaign)
        if best_kind is not None and (choice is None or best_kind[0] > choice[0]):
            choice = (best_kind[0], top, bottom, best_kind[1], list(best_kind[2]))
    assert choice is not None
    known, top, bottom, kind, cells = choice
    if known < 0 and (by_values := _header_completed_by_values(rows, scan, campaign)) is not None:
        return by_values
    if known < 0:
        found = "、".join(str(c) for c in dict.fromkeys(scan[best]) if c is not None)
        error = (
            f"无法判断表格类型（整改台账/问题线索登记表/满意度测评表/满意度汇总表）：第 {best + 1} 行表头为“{found}”，"
            "缺少关键列（如 整改措施/整改时限、线索编号/受理时间、问卷编号/被测评单位/测评维度、单位/满意率）。"
            "可在“数据管理”页上传后逐列指定字段，并保存为导入方案"
        )
        return Header(None, best, best, {}, {}, error, scan[best])
    return _finish(kind, top, bottom, cells, rows, campaign, None, scan)


# --- 填报单位 / 填报时间 ------------------------------------------------------------------

_UNIT = r"(?:填报单位|报送单位|填表单位)(?:\s*[（(]\s*盖章\s*[）)])?"
_DATE = r"(?:填报时间|填报日期|报送时间|报送日期|填表时间|填表日期)"
_OTHER = r"(?:填报人|填表人|联系人|联系电话|审核人|负责人)"  # only end the value before them
_LABEL = re.compile(rf"({_UNIT}|{_DATE}|{_OTHER})\s*[：:]?\s*")
_META_ROW = re.compile(rf"^(?:{_UNIT}|{_DATE})\s*(?:[：:]|\S)")
_IS_UNIT = re.compile(_UNIT)
_IS_DATE = re.compile(_DATE)
_ANY_LABEL = re.compile("填报|报送|填表|联系|审核|负责")  # every _LABEL match holds one: a quick first test


def is_meta_row(cells: list) -> bool:
    return any(isinstance(c, str) and _META_ROW.match(c) for c in cells)


def read_meta(rows: list[list]) -> tuple[str | None, object | None]:
    """填报单位 / 填报时间 from the rows above the header: text as written (trimmed) or a date."""
    unit = date = None
    for row in _cleaned(rows):
        cells = [c for c in row if c is not None]
        cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]  # merged copies
        for i, cell in enumerate(cells):
            if not isinstance(cell, str) or not _ANY_LABEL.search(cell):
                continue
            labels = list(_LABEL.finditer(cell))
            for j, m in enumerate(labels):
                end = labels[j + 1].start() if j + 1 < len(labels) else len(cell)
                value: object = cell[m.end() : end].strip() or _next_value(cells, i, j, labels)
                if _IS_UNIT.fullmatch(m.group(1)) and unit is None and value:
                    unit = str(value)
                elif _IS_DATE.fullmatch(m.group(1)) and date is None and value not in (None, ""):
                    date = value
    return unit, date


def _next_value(cells: list, i: int, j: int, labels: list) -> object | None:
    """Value in the next cell, for a label that ends its own cell ("填报时间：" | 2023-06-15)."""
    if j + 1 != len(labels) or i + 1 >= len(cells):
        return None
    nxt = cells[i + 1]
    if isinstance(nxt, str) and _LABEL.match(nxt):
        return None
    return nxt
