import pytest

from etl.config import load_campaign
from etl.normalize.categories import match_category, match_manifestation
from etl.normalize.errors import NormalizeError

HAIXI = load_campaign("haixi-2023")
FUYANG = load_campaign("fuyang-2023")


@pytest.mark.parametrize(
    "campaign, text, expected",
    [
        (FUYANG, "逐利执法", "逐利执法"),
        (FUYANG, "“逐利执法”问题", "逐利执法"),
        (FUYANG, "执法“寻租”问题", "执法“寻租”"),
        (FUYANG, '执法"寻租"', "执法“寻租”"),
        (FUYANG, "执法寻租", "执法“寻租”"),
        (FUYANG, "其他问题", "其他突出问题"),
        (FUYANG, "一、执法粗暴", "执法粗暴"),
        (FUYANG, " 执法不规范。", "执法不规范"),
        (HAIXI, "执法履职不到位问题", "执法履职不到位"),
    ],
)
def test_match_category(campaign, text, expected):
    assert match_category(text, campaign) == expected


@pytest.mark.parametrize("text", ["执法履职不到位", "", "执法粗暴、执法不规范"])
def test_category_not_matched_in_fuyang(text):
    with pytest.raises(NormalizeError):
        match_category(text, FUYANG)


@pytest.mark.parametrize(
    "campaign, text, code",
    [
        (FUYANG, "F19", "F19"),
        (FUYANG, "f19", "F19"),
        (FUYANG, "死灰复燃", "F19"),
        (FUYANG, "“一刀切”执法", "F07"),
        (FUYANG, "一刀切执法问题。", "F07"),
        (FUYANG, "一刀切", "F07"),
        (FUYANG, "以罚代管", "F12"),
        (FUYANG, "违规设置非现场执法电子监控卡点问题", "F02"),
        (FUYANG, "某大队存在乱罚款行为", "F03"),
        (HAIXI, "过度执法", "H13"),
        (HAIXI, "对待群众“冷硬横推”、侵犯群众合法权益甚至暴力执法", "H19"),
        (HAIXI, "不作为", "H24"),
    ],
)
def test_match_manifestation(campaign, text, code):
    assert match_manifestation(text, campaign).code == code


def test_ambiguous_manifestation_lists_both():
    # Haixi has 以罚代管 in H04 and H16: never guess between them.
    with pytest.raises(NormalizeError) as err:
        match_manifestation("以罚代管", HAIXI)
    assert "H04" in str(err.value) and "H16" in str(err.value)


def test_category_restricts_manifestations():
    m = match_manifestation("以罚代管", HAIXI, category="执法粗暴")
    assert m.code == "H16"
    with pytest.raises(NormalizeError):
        match_manifestation("一刀切", HAIXI, category="逐利执法")


@pytest.mark.parametrize("text", ["F19", "死灰复燃", "", "其他"])
def test_unknown_manifestation_in_haixi(text):
    with pytest.raises(NormalizeError):
        match_manifestation(text, HAIXI)


def test_short_text_is_not_matched_by_containment():
    # "执法" (2 chars) is inside many names but must not pick one.
    with pytest.raises(NormalizeError):
        match_manifestation("执法", FUYANG)


def test_names_worked_out_once_per_campaign_object_never_for_another():
    """The comparable names are kept per campaign object: each of twenty campaigns made one after another,
    each with another first category, is matched against its own names, and each scope (a category) its own."""
    import dataclasses
    import gc

    from etl.config import Category

    base = load_campaign("fuyang-2023")

    def renamed(new_name: str):
        first = base.categories[0]
        moved = tuple(dataclasses.replace(m, category=new_name) for m in first.manifestations)
        return dataclasses.replace(base, categories=(Category(new_name, (), moved), *base.categories[1:]))

    old_name = base.categories[0].name
    for round_no in range(20):  # ids of freed objects are reused often in CPython
        name = f"第{round_no}类问题"
        campaign = renamed(name)
        assert match_category(name, campaign) == name
        with pytest.raises(NormalizeError):
            match_category(old_name, campaign)
        manifestation = base.categories[0].manifestations[0]
        assert match_manifestation(manifestation.name, campaign, name).category == name
        del campaign
        gc.collect()
    assert match_category(old_name, base) == old_name
    code = base.categories[1].manifestations[0].code
    assert match_manifestation(code, base, base.categories[1].name).code == code
    with pytest.raises(NormalizeError):  # that category's manifestation is not under the first category
        match_manifestation(base.categories[1].manifestations[0].name, base, old_name)
