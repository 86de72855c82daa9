"""Working days on the State Council holiday schedule (incl. 调休 make-up weekends).

Where the schedule comes from, in order:
1. the chinesecalendar library (the years it covers);
2. the office's own entries for other years: data/calendar.toml, and the [calendar] section of any
   campaign TOML in data/campaigns/ (same layout, see data/calendar.toml); a year entered there is
   official, not provisional;
3. Monday–Friday, marked provisional.
Every process (ETL, dashboard, reports) reads the same files, so they all count the same days.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

import chinese_calendar

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_DATA = Path(__file__).resolve().parent.parent.parent / "data"
_files = {"calendar_file": _DATA / "calendar.toml", "campaigns_dir": _DATA / "campaigns"}


@dataclass(frozen=True)
class YearSchedule:
    holidays: frozenset[date]   # days off (放假), weekdays among them are not worked
    workdays: frozenset[date]   # make-up working days (调休上班), weekends among them are worked


def _as_date(value: object, year: int, source: str) -> date:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{source}：[{year}] 中的“{value}”不是日期，应写作 {year}-01-01") from None
    if d.year != year:
        raise ValueError(f"{source}：{d:%Y-%m-%d} 不属于 [{year}] 年")
    return d


def parse_schedule(table: dict, source: str) -> dict[int, YearSchedule]:
    """{year: YearSchedule} from {"2027": {"holidays": [...], "workdays": [...]}}; ValueError on a typo."""
    out = {}
    for key, entry in table.items():
        if not str(key).isdigit() or not isinstance(entry, dict):
            raise ValueError(f"{source}：节假日安排应按年份分节，如 [2027]，不应有“{key}”")
        year = int(key)
        unknown = set(entry) - {"holidays", "workdays"}
        if unknown:
            raise ValueError(f"{source}：[{year}] 只能有 holidays（放假日）和 workdays（调休上班日），"
                             f"不应有 {'、'.join(sorted(unknown))}")
        holidays = frozenset(_as_date(v, year, source) for v in entry.get("holidays", ()))
        workdays = frozenset(_as_date(v, year, source) for v in entry.get("workdays", ()))
        if both := sorted(holidays & workdays):
            raise ValueError(f"{source}：{both[0]:%Y-%m-%d} 同时列为放假日和调休上班日")
        out[year] = YearSchedule(holidays, workdays)
    return out


def _merge(into: dict[int, YearSchedule], more: dict[int, YearSchedule], source: str) -> None:
    for year, sched in more.items():
        if year in into and into[year] != sched:
            raise ValueError(f"{source}：{year}年节假日安排与其他文件中的不一致；请只在一处填写")
        into[year] = sched


@cache
def office_schedule() -> dict[int, YearSchedule]:
    """Years entered by the office (calendar file + campaign [calendar] sections), read once."""
    schedule: dict[int, YearSchedule] = {}
    path = _files["calendar_file"]
    if path is not None and Path(path).is_file():
        with open(path, "rb") as f:
            try:
                table = tomllib.load(f)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{path}：格式有误（{exc}），请按文件开头的说明填写") from None
        _merge(schedule, parse_schedule(table, str(path)), str(path))
    directory = _files["campaigns_dir"]
    if directory is not None and Path(directory).is_dir():
        for campaign_file in sorted(Path(directory).glob("*.toml")):
            with campaign_file.open("rb") as f:
                section = tomllib.load(f).get("calendar", {})
            _merge(schedule, parse_schedule(section, f"{campaign_file} [calendar]"), str(campaign_file))
    return schedule


def use_schedule_files(calendar_file: Path | None, campaigns_dir: Path | None) -> None:
    """Read the office's schedule from these files instead (tests, the reading processes); None = no such source."""
    _files.update(calendar_file=calendar_file, campaigns_dir=campaigns_dir)
    _forget_schedule()


def schedule_files() -> dict[str, Path | None]:
    """The files the schedule is read from, as use_schedule_files takes them."""
    return dict(_files)


_read_from: list[tuple] = [()]  # the files' (path, mtime, size) when the schedule was last forgotten


def reload_if_changed() -> None:
    """Forget the schedule read so far when one of its files changed since, and read it (each build asks: the data
    page rebuilds inside the long-running server, which would otherwise keep an edited calendar's old days).
    ValueError (Chinese, naming the file) when the files hold a typo."""
    stamp = _files_stamp()
    if stamp != _read_from[0]:
        _forget_schedule()
        _read_from[0] = stamp
    office_schedule()


def _files_stamp() -> tuple:
    paths = [_files["calendar_file"]]
    if _files["campaigns_dir"] is not None and Path(_files["campaigns_dir"]).is_dir():
        paths += sorted(Path(_files["campaigns_dir"]).glob("*.toml"))
    stamp = []
    for path in filter(None, paths):
        try:
            st = Path(path).stat()
        except OSError:
            continue
        stamp.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


def _forget_schedule() -> None:
    for cached in (office_schedule, _day, add_working_days, _year_table):
        cached.cache_clear()


@cache
def _day(d: date) -> tuple[bool, bool]:
    """(is working day, provisional)."""
    try:
        return chinese_calendar.is_workday(d), False
    except NotImplementedError:
        pass
    entered = office_schedule().get(d.year)
    if entered is not None:
        return d in entered.workdays or (d.weekday() < _SATURDAY and d not in entered.holidays), False
    return d.weekday() < _SATURDAY, True


def is_working_day(d: date) -> bool:
    return _day(d)[0]


def is_provisional(d: date) -> bool:
    """True when d's year is neither in the library nor entered by the office, and Mon–Fri was assumed."""
    return _day(d)[1]


@lru_cache(maxsize=65536)
def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after start, and whether any day counted was provisional.

    Day 1 is the first working day after start (the start day itself never counts):
    assigned Wed 2023-09-27, 5 working days → Tue 2023-10-10.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    d, counted, provisional = start, 0, False
    while counted < n:
        d += _ONE_DAY
        working, guessed = _day(d)
        provisional = provisional or guessed
        counted += working
    return d, provisional


@cache
def _year_table(year: int) -> tuple[int, ...]:
    """Cumulative working days from 1 Jan up to and including each day (index = day of year - 1)."""
    table, total, d = [], 0, date(year, 1, 1)
    while d.year == year:
        total += _day(d)[0]
        table.append(total)
        d += _ONE_DAY
    return tuple(table)


def _through(d: date) -> int:
    """Working days from 1 Jan of d's year up to and including d."""
    return _year_table(d.year)[d.timetuple().tm_yday - 1]


def working_days_between(a: date, b: date) -> int:
    """Working days after a, up to and including b; 0 if b <= a."""
    if b <= a:
        return 0
    if a.year == b.year:
        return _through(b) - _through(a)
    total = _year_table(a.year)[-1] - _through(a) + _through(b)
    return total + sum(_year_table(y)[-1] for y in range(a.year + 1, b.year))


def working_day_ages(days: Iterable[date | None], as_of: date) -> list[int]:
    """For each day, the working days after it up to and including as_of (working_days_between); -1 if missing.

    Takes dates or datetimes (pandas Timestamps count as their date); None, NaN and NaT are missing.
    Each distinct day is counted once: 68,000 leads carry only a few hundred distinct dates.
    """
    ages: dict[date, int] = {}
    out = []
    for d in days:
        if d is None or d != d:  # NaN and NaT are the values not equal to themselves
            out.append(-1)
            continue
        day = d.date() if isinstance(d, datetime) else d
        if day not in ages:
            ages[day] = working_days_between(day, as_of)
        out.append(ages[day])
    return out
