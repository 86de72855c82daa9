"""analytics/comparison.py: one “上期” rule for the dashboard and the brief, chosen per campaign."""
from datetime import date

import pytest

from analytics import comparison as cmp
from etl.config import load_campaign
from etl.lagging_config import ConfigError

WEEKLY = {"compare_with": "weekly", "weekly_report_weekday": 4}       # Thursdays
PERIOD = {"compare_with": "report_period", "weekly_report_weekday": 4}
SNAPS = [date(2023, 10, 20), date(2023, 10, 23), date(2023, 11, 3), date(2023, 11, 5), date(2023, 11, 6)]


def test_weekly_compares_with_the_previous_thursday():
    # 2023-11-06 is a Monday: the previous Thursday is 11-02 (data there = the 10-23 snapshots)
    assert cmp.previous_date(WEEKLY, date(2023, 11, 6), SNAPS) == date(2023, 11, 2)
    # on a Thursday itself: the Thursday before (not the same day)
    assert cmp.previous_date(WEEKLY, date(2023, 11, 9), SNAPS) == date(2023, 11, 2)
    # another weekday in the config: Fridays → 11-03
    assert cmp.previous_date(WEEKLY | {"weekly_report_weekday": 5}, date(2023, 11, 6), SNAPS) == date(2023, 11, 3)


def test_report_period_compares_with_the_previous_period():
    assert cmp.previous_date(PERIOD, date(2023, 11, 6), SNAPS) == date(2023, 11, 5)
    assert cmp.previous_date(PERIOD, date(2023, 11, 4), SNAPS) == date(2023, 11, 3)
    assert cmp.previous_date(PERIOD, date(2023, 10, 23), SNAPS) == date(2023, 10, 20)


def test_no_data_at_the_previous_date_means_no_comparison():
    # weekly: the previous Thursday (10-19) is before the first snapshot (10-20)
    assert cmp.previous_date(WEEKLY, date(2023, 10, 23), SNAPS) is None
    # report period: nothing before the first snapshot
    assert cmp.previous_date(PERIOD, date(2023, 10, 20), SNAPS) is None
    assert cmp.previous_date(PERIOD, date(2023, 11, 6), []) is None
    assert cmp.previous_date(WEEKLY, date(2023, 11, 6), []) is None


def test_sentence_states_the_dates_compared_and_why_none():
    assert cmp.sentence(WEEKLY, date(2023, 11, 6), date(2023, 11, 2)) == "与上期（2023-11-02，上一个周报日）相比"
    assert cmp.sentence(PERIOD, date(2023, 11, 6), date(2023, 11, 5)) == "与上期（2023-11-05，上一个台账报送期）相比"
    assert cmp.sentence(PERIOD, date(2023, 11, 6), date(2023, 9, 1), given=True) == "与上期（2023-09-01，指定的对比日）相比"
    assert cmp.sentence(WEEKLY, date(2023, 10, 23), None) == "上一个周报日（2023-10-19）及以前还没有一期台账，不与上期比较"
    assert cmp.sentence(PERIOD, date(2023, 10, 20), None) == "统计日之前没有更早的一期台账，不与上期比较"


def test_an_old_database_without_the_column_keeps_the_snapshot_rule():
    assert cmp.rule_of({"weekly_report_weekday": 4}) == cmp.REPORT_PERIOD
    assert cmp.rule_of({"compare_with": None}) == cmp.REPORT_PERIOD


def test_campaign_configs_choose_their_rule():
    # Haixi's plan: weekly report every Thursday 12:00; Fuyang's: reports by fixed time nodes, no weekly report
    assert load_campaign("haixi-2023").reporting.compare_with == "weekly"
    assert load_campaign("fuyang-2023").reporting.compare_with == "report_period"


def test_an_unknown_rule_in_a_config_is_refused(tmp_path):
    text = (load_campaign("haixi-2023").source.read_text(encoding="utf-8")
            .replace('compare_with = "weekly"', 'compare_with = "monthly"'))
    (tmp_path / "x-2023.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="compare_with"):
        load_campaign("x-2023", tmp_path)
