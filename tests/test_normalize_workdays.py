import dataclasses
import re
from datetime import date, timedelta

import chinese_calendar
import pytest

from etl.normalize.workdays import add_working_days, is_working_day, working_days_between


def _reference_add(start: date, n: int) -> date:
    """Independent count straight on chinese_calendar."""
    d = start
    while n:
        d += timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d


def test_national_day_2023_with_make_up_weekend():
    # 9-29..10-06 off, Sat 10-07 and Sun 10-08 worked; Mon–Fri would give 10-04.
    assert add_working_days(date(2023, 9, 27), 5) == (date(2023, 10, 10), False)


def test_spring_festival_2024_against_chinese_calendar():
    # 2-10..2-17 off, Sun 2-18 worked.
    start = date(2024, 2, 8)
    assert add_working_days(start, 5) == (_reference_add(start, 5), False)
    assert add_working_days(start, 5) == (date(2024, 2, 21), False)
    assert chinese_calendar.is_workday(date(2024, 2, 18))
    assert is_working_day(date(2024, 2, 18)) and not is_working_day(date(2024, 2, 12))


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2023, 9, 27), 0, date(2023, 9, 27)),
        (date(2023, 9, 27), 1, date(2023, 9, 28)),
        (date(2023, 6, 16), 1, date(2023, 6, 19)),  # Fri → Mon
        (date(2023, 6, 21), 1, date(2023, 6, 25)),  # Dragon Boat: Sun 6-25 worked
    ],
)
def test_add_working_days_small_cases(start, n, expected):
    assert add_working_days(start, n) == (expected, False)


def test_far_future_is_provisional_mon_to_fri():
    # 2099-01-01 is a Thursday.
    assert add_working_days(date(2099, 1, 1), 5) == (date(2099, 1, 8), True)
    assert add_working_days(date(2099, 1, 2), 1) == (date(2099, 1, 5), True)


def test_crossing_into_uncovered_year_is_provisional():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 1, 1))
    _, provisional = add_working_days(date(2098, 12, 31), 1)
    assert provisional


def test_negative_n_rejected():
    with pytest.raises(ValueError):
        add_working_days(date(2023, 9, 27), -1)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (date(2023, 9, 27), date(2023, 10, 10), 5),
        (date(2023, 9, 27), date(2023, 10, 4), 1),
        (date(2023, 9, 27), date(2023, 9, 27), 0),
        (date(2023, 10, 10), date(2023, 9, 27), 0),
        (date(2024, 2, 8), date(2024, 2, 21), 5),
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


def test_working_days_between_across_years_matches_brute_force():
    a, b = date(2022, 11, 15), date(2024, 3, 1)
    expected = sum(chinese_calendar.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
    assert working_days_between(a, b) == expected


def test_between_is_inverse_of_add():
    start = date(2023, 9, 27)
    for n in range(0, 30):
        end, _ = add_working_days(start, n)
        assert working_days_between(start, end) == n


# --- the office's own schedule for years the library does not cover --------------------------------
# 2027 as entered in the test file: Fri 01-01 off; Mon 02-08 … Fri 02-12 off (春节); Sun 02-07 worked.
_CALENDAR_2027 = """
[2027]
holidays = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]
workdays = [2027-02-07]
"""


@pytest.fixture
def office_files(tmp_path):
    from etl.normalize import workdays

    calendar_file, campaigns = tmp_path / "calendar.toml", tmp_path / "campaigns"
    campaigns.mkdir()
    saved = workdays.schedule_files()
    yield calendar_file, campaigns
    workdays.use_schedule_files(saved["calendar_file"], saved["campaigns_dir"])


def test_year_from_the_calendar_file_is_official(office_files):
    from etl.normalize.workdays import use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text(_CALENDAR_2027, encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 2, 5))
    # Thu 02-04 + 5: Fri 02-05, Sun 02-07 (调休), then 02-08..12 off, Mon 02-15, Tue 02-16, Wed 02-17.
    assert add_working_days(date(2027, 2, 4), 5) == (date(2027, 2, 17), False)
    assert not is_working_day(date(2027, 1, 1)) and is_working_day(date(2027, 2, 7))
    # Thu 2026-12-31 (library) + 1 → Fri 01-01 off, Mon 01-04.
    assert add_working_days(date(2026, 12, 31), 1) == (date(2027, 1, 4), False)
    assert working_days_between(date(2027, 2, 4), date(2027, 2, 17)) == 5
    # A year nobody entered stays provisional Monday–Friday.
    assert add_working_days(date(2028, 2, 3), 5) == (date(2028, 2, 10), True)


def test_year_from_a_campaign_calendar_section(office_files):
    from etl.normalize.workdays import use_schedule_files

    calendar_file, campaigns = office_files
    (campaigns / "demo.toml").write_text("[calendar.2027]\nholidays = [2027-10-01, 2027-10-04]\n"
                                         "workdays = [2027-10-09]\n", encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)  # calendar_file does not exist: campaign section only
    # Thu 09-30 + 3: Fri 10-01 off, Mon 10-04 off, Tue 10-05, Wed 10-06, Thu 10-07.
    assert add_working_days(date(2027, 9, 30), 3) == (date(2027, 10, 7), False)
    # Sat 10-09 worked: Fri 10-08 + 1 → Sat 10-09.
    assert add_working_days(date(2027, 10, 8), 1) == (date(2027, 10, 9), False)


def test_library_years_are_not_overridden_by_the_file(office_files):
    from etl.normalize.workdays import use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text('[2023]\nholidays = ["2023-10-10"]\n', encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    assert add_working_days(date(2023, 9, 27), 5) == (date(2023, 10, 10), False)


def test_an_edited_calendar_file_is_read_again_by_the_next_build(office_files, tmp_path):
    """The data page rebuilds inside the long-running server: an edit of data/calendar.toml must count there."""
    from etl.build import CampaignSources, collect
    from etl.config import load_campaign
    from etl.normalize.workdays import reload_if_changed, use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text('[2027]\nholidays = ["2027-02-08"]\n', encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    reload_if_changed()
    # Thu 2027-02-04 + 3: Fri 02-05, Mon 02-08 off, Tue 02-09, Wed 02-10.
    assert add_working_days(date(2027, 2, 4), 3) == (date(2027, 2, 10), False)
    calendar_file.write_text('[2027]\nholidays = ["2027-02-08", "2027-02-09"]\n', encoding="utf-8")
    assert add_working_days(date(2027, 2, 4), 3) == (date(2027, 2, 10), False)  # still the days read before
    reload_if_changed()
    assert add_working_days(date(2027, 2, 4), 3) == (date(2027, 2, 11), False)

    # a build asks by itself: a lead assigned Thu 2027-02-04 in a register read after the next edit
    calendar_file.write_text('[2027]\nholidays = ["2027-02-05"]\n', encoding="utf-8")
    source = tmp_path / "leads"
    source.mkdir()
    (source / "临泉县_问题线索登记表.csv").write_text(
        "线索编号,线索来源,受理日期,交办日期,承办单位,问题类别\nX-1,12345热线,2027-02-04,2027-02-04,临泉县交通运输局,执法不规范\n",
        encoding="utf-8")
    campaign = load_campaign("fuyang-2023")
    campaign = dataclasses.replace(campaign, end_date=date(2026, 11, 1))  # 2027 dates within a year of the end
    result = collect([CampaignSources(campaign, [source])], salt="s", profiles=[], workers=1)
    (lead,) = result.leads.rows()
    # Thu 02-04 + 5 working days: Fri 02-05 off, Mon 02-08 … Fri 02-12
    assert lead["due_date"] == date(2027, 2, 12)


@pytest.mark.parametrize("broken, message", [
    ('[2027]\nholidays = ["2027-02-05"\n', "格式有误"),                 # a bracket left open
    ('[2027]\nholidays = ["2027-02-30"]\n', "“2027-02-30”不是日期"),
])
def test_a_calendar_typo_refuses_the_build_and_keeps_the_database(office_files, tmp_path, broken, message):
    from etl.build import CampaignSources, build
    from etl.config import load_campaign
    from etl.load import BuildRefused
    from etl.normalize.workdays import use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text('[2027]\nholidays = ["2027-02-05"]\n', encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    source = tmp_path / "leads"
    source.mkdir()
    (source / "临泉县_问题线索登记表.csv").write_text(
        "线索编号,线索来源,受理日期,交办日期,承办单位,问题类别\nX-1,12345热线,2023-09-27,2023-09-27,临泉县交通运输局,执法不规范\n",
        encoding="utf-8")
    sources = [CampaignSources(load_campaign("fuyang-2023"), [source])]
    db_file = tmp_path / "db" / "dashboard.duckdb"
    build(sources, db_file, salt="s", profiles=[], workers=1)
    before = db_file.read_bytes()
    calendar_file.write_text(broken, encoding="utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(sources, db_file, salt="s", profiles=[], workers=1)
    assert str(refused.value).startswith("节假日安排有误，数据库没有重新生成（原数据库保持不变）：")
    assert str(calendar_file) in str(refused.value) and message in str(refused.value)
    assert db_file.read_bytes() == before


@pytest.mark.parametrize(
    "text, message",
    [
        ('[2027]\nholidays = ["2026-12-31"]\n', "不属于 [2027] 年"),
        ('[2027]\nholidays = ["2027-13-01"]\n', "不是日期"),
        ('[2027]\nholidays = ["2027-02-07"]\nworkdays = ["2027-02-07"]\n', "同时列为放假日和调休上班日"),
        ('[2027]\nholiday = ["2027-01-01"]\n', "只能有 holidays"),
    ],
)
def test_typos_in_the_calendar_file_are_reported(office_files, text, message):
    from etl.normalize.workdays import office_schedule, use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text(text, encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    with pytest.raises(ValueError, match=re.escape(message)):
        office_schedule()


def test_file_and_campaign_disagreeing_on_a_year_is_an_error(office_files):
    from etl.normalize.workdays import office_schedule, use_schedule_files

    calendar_file, campaigns = office_files
    calendar_file.write_text(_CALENDAR_2027, encoding="utf-8")
    (campaigns / "demo.toml").write_text("[calendar.2027]\nholidays = [2027-01-01]\n", encoding="utf-8")
    use_schedule_files(calendar_file, campaigns)
    with pytest.raises(ValueError, match="2027年节假日安排与其他文件中的不一致"):
        office_schedule()


def test_shipped_calendar_file_and_campaigns_parse():
    from etl.normalize.workdays import office_schedule

    assert all(year >= 2027 for year in office_schedule())
