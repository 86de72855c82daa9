"""督办规则（analytics/supervision_rules.py，配置 [supervision]）：按工作日历（含国庆中秋放假和调休）
算默认期限和蓝黄红开始的日子；规则说明文字；配置写错时的中文提示。

2023 年国庆中秋：9-29（周五）～10-6（周五）放假，10-7（周六）、10-8（周日）调休上班。
"""
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from analytics.supervision_rules import (
    default_deadline,
    escalation,
    escalation_columns,
    is_overdue,
    list_rule_text,
    lists_text,
    on_list,
    red_streak_text,
    rules_text,
    working_days_left,
)
from etl.config import CAMPAIGNS_DIR, ConfigError, list_campaigns, load_campaign

RULES = load_campaign("fuyang-2023").supervision


def _days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def test_both_campaigns_have_the_agreed_rules():
    for cid in list_campaigns():
        s = load_campaign(cid).supervision
        assert (s.default_working_days, s.blue_within, s.yellow_within, s.red_streak_periods) == (5, 3, 1, 2)
        assert (s.honor_roll.metric, s.honor_roll.op, s.honor_roll.bound) == ("completion", "at_least", 0.90)
        assert (s.black_list.metric, s.black_list.op, s.black_list.bound) == ("completion", "below", 0.85)
        assert s.notice_prefix == "督办"


def test_colours_for_a_deadline_after_the_national_day_holiday():
    """期限 10-10（周二）。只数周一至周五的话 10-5 就该变蓝；按日历，放假的 8 天剩余工作日一直是 4。"""
    deadline = date(2023, 10, 10)
    expected = {date(2023, 9, 26): None, date(2023, 9, 27): None, date(2023, 9, 28): None}
    expected |= {d: None for d in _days(date(2023, 9, 29), date(2023, 10, 6))}
    expected |= {date(2023, 10, 7): "蓝",   # 周六调休上班：剩 10-7 之后的 8、9、10 日 = 3 个工作日
                 date(2023, 10, 8): "蓝",   # 周日调休上班：剩 2 个
                 date(2023, 10, 9): "黄",   # 剩 1 个（期限前一个工作日）
                 date(2023, 10, 10): "黄",  # 期限当天
                 date(2023, 10, 11): "红", date(2023, 10, 14): "红", date(2023, 11, 30): "红"}
    got = {d: escalation(deadline, d, "督办中", RULES) for d in expected}
    assert got == expected
    assert [working_days_left(deadline, d) for d in (date(2023, 9, 27), date(2023, 10, 6), date(2023, 10, 7),
                                                     date(2023, 10, 10), date(2023, 10, 11), date(2023, 10, 14))] \
        == [5, 4, 3, 0, -1, -3]  # 10-14 周六：逾期 11、12、13 日 3 个工作日


def test_first_day_of_each_colour():
    def first(deadline: date, colour: str) -> date:
        return next(d for d in _days(deadline - timedelta(days=30), deadline + timedelta(days=5))
                    if escalation(deadline, d, "督办中", RULES) == colour)

    assert [first(date(2023, 10, 10), c) for c in ("蓝", "黄", "红")] == \
        [date(2023, 10, 7), date(2023, 10, 9), date(2023, 10, 11)]
    # 期限落在调休的周六 10-7：9-28（节前最后一个工作日）起黄，黄色跨过整个假期；10-8 周日起红
    assert [first(date(2023, 10, 7), c) for c in ("蓝", "黄", "红")] == \
        [date(2023, 9, 26), date(2023, 9, 28), date(2023, 10, 8)]


def test_only_unanswered_items_have_a_colour_and_can_be_overdue():
    late = date(2023, 10, 20)
    for status, colour, overdue in (("督办中", "红", True), ("已反馈", None, False), ("已核查", None, False),
                                    ("已销号", None, False)):
        assert escalation(date(2023, 10, 10), late, status, RULES) == colour
        assert is_overdue(date(2023, 10, 10), late, status) is overdue
    assert is_overdue(date(2023, 10, 10), date(2023, 10, 10), "督办中") is False


def test_timestamps_count_as_their_day():
    assert escalation(pd.Timestamp("2023-10-10"), pd.Timestamp("2023-10-09 23:59"), "督办中", RULES) == "黄"


def test_default_deadline_is_five_working_days_across_the_holiday():
    assert default_deadline(date(2023, 9, 27), RULES) == date(2023, 10, 10)  # 28、7、8、9、10
    assert default_deadline(date(2023, 9, 28), RULES) == date(2023, 10, 11)  # 7、8、9、10、11
    assert default_deadline(date(2023, 10, 1), RULES) == date(2023, 10, 11)  # 假期中交办：同上
    assert default_deadline(date(2023, 9, 22), RULES) == date(2023, 10, 7)   # 25、26、27、28、10-7（周六调休）
    assert default_deadline(date(2023, 6, 5), RULES) == date(2023, 6, 12)    # 平常一周：6、7、8、9、12


def test_escalation_columns_on_a_list():
    items = pd.DataFrame({"id": [1, 2, 3, 4], "deadline": [date(2023, 10, 10)] * 3 + [date(2023, 10, 20)],
                          "status": ["督办中", "已反馈", "已销号", "督办中"]})
    out = escalation_columns(items, date(2023, 10, 11), RULES)
    assert out["colour"].tolist() == ["红", None, None, None]
    assert out["working_days_left"].tolist() == [-1, -1, -1, 7]  # 12、13、16、17、18、19、20
    assert out["overdue"].tolist() == [True, False, False, False]  # 已反馈: waiting for the office, not late
    assert "colour" not in items.columns


def test_rule_sentences():
    assert rules_text(RULES) == (
        "督办事项默认期限为交办后 5 个工作日。单位反馈之前，离期限还有 3 个工作日及以内为蓝色，"
        "离期限还有 1 个工作日及以内（期限前一个工作日和期限当天）为黄色，超过期限仍未反馈为红色（逾期）；"
        "单位已反馈（等待专班核查）、已核查、已销号的不再标色，专班退回后重新计算。工作日按法定节假日和调休计算。")
    assert lists_text(RULES) == "红榜：整改率 ≥ 90%；黑榜：整改率 < 85%。"
    assert red_streak_text(RULES) == "连续 2 期滞后评分为红色的单位单独列出。"
    assert list_rule_text(type(RULES.black_list)("completion", "below", 0.855)) == "整改率 < 85.5%"


def test_lists_thresholds():
    assert [on_list(v, RULES.honor_roll) for v in (0.95, 0.90, 0.8999, None, float("nan"))] == \
        [True, True, False, False, False]
    assert [on_list(v, RULES.black_list) for v in (0.80, 0.8499, 0.85, 0.9, None)] == \
        [True, True, False, False, False]


def campaign_with(tmp_path, old: str, new: str):
    text = (CAMPAIGNS_DIR / "haixi-2023.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / "haixi-2023.toml").write_text(text.replace(old, new), encoding="utf-8")
    return load_campaign("haixi-2023", tmp_path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("yellow_within = 1 ", "yellow_within = 3 ", "须 yellow_within < blue_within"),
    ("blue_within = 3 ", "blue_within = -1 ", "blue_within 须为不小于 0 的整数"),
    ("default_working_days = 5 ", "default_working_days = 0 ", "default_working_days 和 red_streak_periods 至少为 1"),
    ("red_streak_periods = 2 ", "red_streak_periods = \"两\" ", "red_streak_periods 须为不小于 0 的整数"),
    ('metric = "completion", at_least = 0.90', 'metric = "整改率", at_least = 0.90', "未知的指标"),
    ("at_least = 0.90", "at_least = 90", "须为 0～1 之间的比率"),
    ("below = 0.85", "under = 0.85", "须写成 { metric = 指标, below = 数值 }"),
    ("below = 0.85", "below = 0.95", "黑榜界限（0.95）不能高于红榜界限（0.9）"),
    ('notice_prefix = "督办"', 'notice_prefix = " "', "notice_prefix（督办通知单编号前缀"),
    ('notice_prefix = "督办"', "", "缺少 notice_prefix"),
])
def test_config_errors_are_chinese_and_name_the_section(tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        campaign_with(tmp_path, old, new)
    assert "[supervision]" in str(e.value)


def test_campaign_without_supervision_section_is_refused(tmp_path):
    text = (CAMPAIGNS_DIR / "haixi-2023.toml").read_text(encoding="utf-8")
    start, end = text.index("[supervision]"), text.index("# 滞后评分：")
    (tmp_path / "haixi-2023.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"缺少 \[supervision\]"):
        load_campaign("haixi-2023", tmp_path)
