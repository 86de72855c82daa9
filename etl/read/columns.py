"""One header row → which column holds which field, by the vocabulary and by the cells' values."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from etl.config import Campaign

from .cell_values import fits, scale_share, unit_share
from .vocabulary import (
    CONTAINS,
    DIM_PREFIX,
    KINDS,
    ON_VOCABULARY_CHANGE,
    SYNONYM,
    FieldRule,
    load_vocabulary,
    match_dimension,
    norm_header,
)

__all__ = ["DIM_PREFIX", "KINDS", "ColumnMap", "candidates", "column_letter", "count_known", "map_columns",
           "norm_header", "qualifies"]

BY_VALUES, BY_DIMENSION, BY_PROFILE = "取值", "测评维度", "导入方案"
_DIM_SCORE = 260  # a campaign dimension named in a survey question: as good as a parts match
MAX_HEADER_LENGTH = 80  # a survey question may be long; a case description is longer
_MIN_SAMPLES = 3  # value evidence needs at least this many non-blank cells
_VALUE_SHARE = 0.8  # …of which this share must fit


def column_letter(idx: int) -> str:
    """0 → A, 27 → AB."""
    out = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class ColumnMap:
    kind: str
    columns: dict[str, int] = field(default_factory=dict)  # field → column index, in column order
    how: dict[str, str] = field(default_factory=dict)  # field → 词表 / 含义 / 包含 / 取值 / 测评维度 / 导入方案
    ignored: list[int] = field(default_factory=list)  # columns with a header that are not imported
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # (field, kept idx, dropped idx)


@lru_cache(maxsize=65536)
def _candidates(kind: str, header: str, dimensions: tuple[str, ...] | None) -> tuple:
    """((score, field, how), …) for one normalised header cell."""
    vocab = load_vocabulary()
    if not header or header in vocab.ignore:
        return ()
    out = []
    kind_rule = vocab.kinds[kind]
    for rule in kind_rule.fields if kind_rule.may_match(header) else ():
        hit = rule.match(header)
        if hit:
            out.append((hit[1], rule.name, hit[0]))
    if kind == "survey" and dimensions:
        dim = match_dimension(header, dimensions, vocab)
        if dim:
            out.append((_DIM_SCORE, DIM_PREFIX + dim, BY_DIMENSION))
    return tuple(sorted(out, reverse=True))


ON_VOCABULARY_CHANGE.append(_candidates.cache_clear)


def candidates(kind: str, cell: object, campaign: Campaign | None) -> tuple:
    """((score, field, how), …) for one header cell, best first."""
    if cell.__class__ is not str or len(cell) > MAX_HEADER_LENGTH:
        return ()  # numbers, dates and long texts are data, never a header
    return _candidates(kind, norm_header(cell), campaign.survey.dimensions if campaign is not None else None)


def maybe_dimension(cell: object) -> bool:
    """Without a campaign the survey dimensions are not known: a header no kind recognises may be one."""
    return bool(norm_header(cell)) and not any(candidates(k, cell, None) for k in KINDS)


def count_known(kind: str, header: list[object], campaign: Campaign | None = None) -> float:
    """How strongly a row looks like a header of this kind: distinct fields recognised (a match
    only by containment counts half; campaign dimensions count on survey sheets)."""
    best: dict[str, float] = {}
    for cell in header:
        for _score, name, how in candidates(kind, cell, campaign):
            weight = 0.5 if how == CONTAINS else 1.0
            best[name] = max(best.get(name, 0.0), weight)
    return sum(best.values())


def qualifies(kind: str, fields: set[str] | dict) -> bool:
    """The sheet has one of the kind's key field sets (data/vocabulary.toml, qualifies)."""
    rule = load_vocabulary().kinds[kind]
    dims = sum(1 for f in fields if f.startswith(DIM_PREFIX))
    for group in rule.qualifies:
        if all((dims >= max(rule.min_dims, 1)) if g == "dims" else g in fields for g in group):
            return True
    return False


def _nonblank(samples: list[list], idx: int) -> list:
    out = []
    for row in samples:
        v = row[idx] if idx < len(row) else None
        if v is not None and not (isinstance(v, str) and not v.strip()):
            out.append(v)
    return out


def _values_fit(rule: FieldRule, values: list, campaign: Campaign | None) -> bool:
    """False when the sampled cells clearly are not what the field holds ("dates are dates")."""
    if len(values) < _MIN_SAMPLES:
        return True
    return fits(rule.values, values, campaign) >= 0.5


def map_columns(kind: str, header: list[object], campaign: Campaign | None = None,
                samples: list[list] | None = None) -> ColumnMap:
    """Field → column for one (joined) header row. Each column holds at most one field and each
    field comes from one column (the best-scoring; "repeat" fields such as phone from several).
    Columns left over are matched by their values (a column of the campaign's unit names is the
    unit), and on survey sheets without a campaign every other header becomes "dim:<text>"."""
    vocab = load_vocabulary()
    rules: dict[str, FieldRule] = {}
    for rule in vocab.kinds[kind].fields:
        rules.setdefault(rule.name, rule)  # (KindRule.field: the first of a name)
    samples = samples or []
    result = ColumnMap(kind)
    cands = []
    for idx, cell in enumerate(header):
        for score, name, how in candidates(kind, cell, campaign):
            cands.append((-score, idx, name, how))
    cands.sort()
    taken: dict[int, str] = {}
    by_field: dict[str, int] = {}
    score_of: dict[str, int] = {}
    for neg, idx, name, how in cands:
        if idx in taken:
            continue
        rule = rules.get(name)
        if how != SYNONYM and rule is not None and rule.values is not None \
                and not _values_fit(rule, _nonblank(samples, idx), campaign):
            continue
        if name in by_field:
            if rule is not None and rule.repeat:
                name = f"{name}_{idx}"  # renumbered in column order by _number_repeats
            else:
                kept = by_field[name]
                # Two columns with the same meaning (two 整改时限, one left blank): values win.
                if score_of[name] == -neg and norm_header(header[kept]) == norm_header(header[idx]):
                    if not _nonblank(samples, kept) and _nonblank(samples, idx):
                        del taken[kept]
                        taken[idx] = name
                        by_field[name] = idx
                        result.duplicates.append((name, idx, kept))
                    else:
                        result.duplicates.append((name, kept, idx))
                continue
        taken[idx] = name
        by_field[name] = idx
        score_of[name] = -neg
        result.how[name] = how
    _match_by_values(kind, header, campaign, samples, taken, by_field, result)
    _number_repeats(kind, taken, result)
    result.columns = {name: idx for idx, name in sorted(taken.items())}
    ignored_dup = {d[2] for d in result.duplicates}
    result.ignored = [i for i, c in enumerate(header)
                      if i not in taken and i not in ignored_dup and (h := norm_header(c)) and h not in vocab.ignore]
    return result


def _number_repeats(kind: str, taken: dict[int, str], result: ColumnMap) -> None:
    """Several columns of a repeat field are numbered in column order: phone, phone_2, phone_3."""
    for rule in load_vocabulary().kinds[kind].fields:
        if not rule.repeat:
            continue
        idxs = sorted(i for i, n in taken.items() if n == rule.name or n.startswith(rule.name + "_"))
        how = result.how.get(rule.name)
        for n, i in enumerate(idxs, 1):
            name = rule.name if n == 1 else f"{rule.name}_{n}"
            taken[i] = name
            result.how[name] = how or result.how.get(name, "")


def _match_by_values(kind: str, header: list, campaign: Campaign | None, samples: list[list],
                     taken: dict[int, str], by_field: dict[str, int], result: ColumnMap) -> None:
    vocab = load_vocabulary()
    width = max([len(header)] + [len(r) for r in samples])
    header = list(header) + [None] * (width - len(header))
    for idx, cell in enumerate(header):
        h = norm_header(cell)
        # a unit column may have no header at all (summary tables: unit names under a blank corner cell)
        if idx in taken or h in vocab.ignore or (not h and "unit" in by_field):
            continue
        values = _nonblank(samples, idx)
        if campaign is not None and "unit" not in by_field and len(values) >= _MIN_SAMPLES \
                and kind in vocab.unit_by_values_kinds and not any(w in h for w in vocab.not_unit_headers) \
                and unit_share(values, campaign) >= _VALUE_SHARE:
            taken[idx] = by_field["unit"] = "unit"
            result.how["unit"] = BY_VALUES
        elif kind == "survey" and h:
            # Answers on the survey scale under a header that names no configured dimension:
            # kept as "dim:<header>" so the build reports the column as not imported.
            if campaign is None:
                answers = maybe_dimension(cell)
            else:
                answers = len(values) >= _MIN_SAMPLES and scale_share(values, campaign.survey.scale) >= _VALUE_SHARE
            if answers:
                name = DIM_PREFIX + "".join(str(cell).split())
                if name not in by_field:
                    taken[idx] = name
                    by_field[name] = idx
                    result.how[name] = BY_VALUES
