"""滞后评分规则表（专项整治配置 [lagging]）：同一张表生成分数和说明文字，改表两者一起变。"""
import re

import pandas as pd
import pytest

from analytics import lagging
from etl.config import CAMPAIGNS_DIR, list_campaigns, load_campaign
from etl.lagging_config import ConfigError
from reports.brief_text import lagging_thresholds

# 各项都不扣分的单位；各测试在此基础上改一两列
CLEAN = dict(problems=10, done=8, overdue=0, leads_ontime=8, leads_ontime_den=10, leads_feedback=8,
             leads_concluded=10, reports_missed=0, self_inspection=1, leads_received=10)


def campaign_with(tmp_path, edits: dict[str, str], cid: str = "fuyang-2023"):
    """复制一份配置，按 {原文: 新文} 改其中的 [lagging] 表，读回 Campaign。"""
    text = (CAMPAIGNS_DIR / f"{cid}.toml").read_text(encoding="utf-8")
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / f"{cid}.toml").write_text(text, encoding="utf-8")
    return load_campaign(cid, tmp_path)


def score(row: dict, rules=None, min_items: int = 5) -> int:
    return sum(lagging.lagging_points(row, min_items, rules).values())


def test_every_campaign_has_the_table_the_default_stands_for():
    tables = {cid: load_campaign(cid).lagging for cid in list_campaigns()}
    assert set(tables) == {"fuyang-2023", "haixi-2023"}
    assert all(t == lagging.default_rules() for t in tables.values())
    t = lagging.default_rules()
    assert (t.red, t.yellow) == (6, 4)
    assert [r.reason for r in t.rules] == ["整改率低", "逾期问题", "报送不及时", "线索超期", "未反馈", "自查不实"]
    assert lagging.max_score(t) == 12  # 2+3+4+1+1+1
    assert lagging.reasons(t) == tuple(r.reason for r in t.rules)
    assert lagging.for_campaign("haixi-2023") == t
    assert lagging.for_campaign("fuyang-2023-scale") == t  # no TOML in data/campaigns → default table


def test_generated_text_says_what_the_rules_were_written_as():
    lines = lagging.rules_text(min_items=5)
    assert lines == [
        "整改率低于 50% 记 2 分，50%～70% 记 1 分；",
        "逾期问题占查摆问题 30% 及以上记 3 分，15%～30% 记 2 分，有逾期问题但不到 15% 记 1 分"
        "（查摆问题少于最少件数 5 时按个数：3 个及以上 2 分，1～2 个 1 分）；",
        "未按时报送台账（迟报或漏报）每次记 2 分，最多 4 分；",
        "线索按时办结率低于 60% 记 1 分；",
        "反馈率低于 60% 记 1 分；",
        "自查自纠查摆问题为 0 但收到线索 3 件及以上（自查自纠与实际不符）记 1 分；",
        "整改率、线索按时办结率、反馈率的分母（查摆问题数、期限已到或已办结的线索数、已办结线索数）"
        "少于本专项整治规定的最少件数 5 时，该项不计分（样本太少，不据此排名）。",
        "合计 ≥ 6 分为红色（建议挂牌督办或约谈），4～5 分为黄色（重点关注），3 分及以下为绿色（按计划推进）。",
    ]
    assert lagging.rules_text()[1].count("少于最少件数时") == 1  # without min_items: no number
    assert lagging.rules_text() == lagging.rules_text(lagging.for_campaign("fuyang-2023"))
    assert lagging.thresholds_text() == "≥6分红色，4～5分黄色，其余绿色"
    assert lagging.thresholds_text(short=True) == "红≥6，黄4～5"


def test_text_contains_every_number_of_the_table():
    t = lagging.default_rules()
    text = "".join(lagging.rules_text(t))
    for r in t.rules:
        for b in getattr(r, "bands", ()):
            if b.bound:
                assert f"{b.bound * 100:g}%" in text, (r.reason, b)
        for b in getattr(r, "by_count", ()):  # 3 个及以上 2 分，1～2 个 1 分
            assert re.search(rf"{b.bound:g}(～\d+)? 个(及以上)? {b.points} 分", text), (r.reason, b)
        if r.note:
            assert f"（{r.note}）" in text
    assert "每次记 2 分，最多 4 分" in text and "3 件及以上" in text
    assert f"≥ {t.red} 分" in text and f"{t.yellow}～{t.red - 1} 分" in text and f"{t.yellow - 1} 分及以下" in text


def test_each_kind_of_rule_scores_by_its_bands():
    # rate_below 整改率: 4/10 → 2, 5/10 → 1 (50% is not below 50%), 7/10 → 0; 3 problems < 5 → not scored
    assert [score(CLEAN | dict(done=d)) for d in (4, 5, 7)] == [2, 1, 0]
    assert score(CLEAN | dict(problems=3, done=0)) == 0
    # share_at_least 逾期: 3/10 = 30% → 3, 2/10 → 2, 1/10 → 1 (above 0), 0 → 0
    assert [score(CLEAN | dict(overdue=o)) for o in (3, 2, 1, 0)] == [3, 2, 1, 0]
    # problems 4 < min_items 5 → by count: 3 overdue → 2, 1 → 1
    assert [score(CLEAN | dict(problems=4, done=4, overdue=o)) for o in (3, 1)] == [2, 1]
    # per_occurrence: 2 points a time, capped at 4
    assert [score(CLEAN | dict(reports_missed=m)) for m in (1, 2, 3)] == [2, 4, 4]
    # mismatch: no self-inspected problem but 3 leads → 1; 2 leads → 0
    assert [score(CLEAN | dict(self_inspection=0, leads_received=n)) for n in (3, 2)] == [1, 0]


def test_red_moved_from_6_to_7_changes_state_and_text_together(tmp_path):
    moved = campaign_with(tmp_path, {"red = 6": "red = 7"}).lagging
    six = CLEAN | dict(done=4, reports_missed=2)  # 整改率低 2 + 报送不及时 4 = 6
    assert score(six) == score(six, moved) == 6
    states = [lagging.add_lagging(pd.DataFrame([six]), 5, r).loc[0, "lagging_state"]
              for r in (None, moved)]
    assert states == ["红", "黄"]
    assert lagging.lagging_state(6, moved) == "黄" and lagging.lagging_state(7, moved) == "红"
    assert lagging.rules_text(moved)[-1] == ("合计 ≥ 7 分为红色（建议挂牌督办或约谈），4～6 分为黄色（重点关注），"
                                             "3 分及以下为绿色（按计划推进）。")
    assert lagging_thresholds(rules=moved) == "≥7分红色，4～6分黄色，其余绿色"
    assert lagging_thresholds(short=True, rules=moved) == "红≥7，黄4～6"
    assert lagging_thresholds() == "≥6分红色，4～5分黄色，其余绿色"  # default table unchanged


def test_band_and_cap_changes_move_score_and_text_together(tmp_path):
    changed = campaign_with(tmp_path, {
        "bands = [{ below = 0.5, points = 2 }, { below = 0.7, points = 1 }]":
            "bands = [{ below = 0.45, points = 2 }, { below = 0.7, points = 1 }]",
        "points = 2\ncap = 4": "points = 2\ncap = 6",
    }).lagging
    row = CLEAN | dict(problems=50, done=23, reports_missed=3)  # 整改率 46%; 3 reports missed
    old, new = lagging.lagging_points(row, 5), lagging.lagging_points(row, 5, changed)
    assert (old["整改率低"], old["报送不及时"]) == (2, 4)
    assert (new["整改率低"], new["报送不及时"]) == (1, 6)
    text = lagging.rules_text(changed)
    assert text[0] == "整改率低于 45% 记 2 分，45%～70% 记 1 分；"
    assert text[2] == "未按时报送台账（迟报或漏报）每次记 2 分，最多 6 分；"
    assert lagging.max_score(changed) == 14


def test_the_brief_prints_the_campaigns_rules():
    """lagging_summary writes the rule text of the brief's own campaign, with its min_items."""
    from reports.brief_text import lagging_summary

    class Data:
        campaign_id, min_items = "haixi-2023", 5
        lagging = pd.DataFrame({"lagging_state": ["红", "黄", "黄"]})

    s = lagging_summary(Data())
    assert s.startswith("本期滞后评分红色单位1个、黄色单位2个。")
    assert s.endswith("扣分规则：" + "".join(lagging.rules_text(lagging.for_campaign("haixi-2023"), 5)))


@pytest.mark.parametrize("edit,message", [
    ({'kind = "mismatch"': 'kind = "ratio"'}, "未知的规则类型 kind = 'ratio'"),
    ({"red = 6": "red = 4"}, "须 0 < yellow < red"),
    ({"{ below = 0.5, points = 2 }, { below = 0.7, points = 1 }":
      "{ below = 0.7, points = 1 }, { below = 0.5, points = 2 }"}, "由低到高"),
    ({'columns = ["reports_missed"]': 'columns = ["reports_missed", "x"]'}, "需要 1 个列名"),
    ({"bands = [{ below = 0.6, points = 1 }]\n# note": "bands = [{ under = 0.6, points = 1 }]\n# note"},
     "below = 数值, points = 分数"),
])
def test_config_errors_name_the_rule(tmp_path, edit, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        campaign_with(tmp_path, edit)
    assert "[lagging" in str(e.value)


def test_campaign_without_lagging_table_is_refused(tmp_path):
    text = (CAMPAIGNS_DIR / "haixi-2023.toml").read_text(encoding="utf-8")
    start, end = text.index("[lagging]"), text.index("[[stages]]")
    (tmp_path / "haixi-2023.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"缺少 \[lagging\]"):
        load_campaign("haixi-2023", tmp_path)


def test_scaled_campaign_toml_keeps_the_table(tmp_path):
    from samplegen.scale import scaled_campaign, write_campaign_toml

    base = load_campaign("fuyang-2023")
    paths = write_campaign_toml(base, scaled_campaign(base, 3), tmp_path / "out")
    assert load_campaign("fuyang-2023-scale", paths[1].parent).lagging == base.lagging
