import pytest

from etl.config import load_campaign
from etl.normalize.errors import NormalizeError
from etl.normalize.units import resolve_unit

HAIXI = load_campaign("haixi-2023")
FUYANG = load_campaign("fuyang-2023")


@pytest.mark.parametrize(
    "text, unit_id",
    [
        ("格尔木", "geermu"),
        ("格尔木市", "geermu"),
        ("格尔木市交通运输局", "geermu"),
        ("格尔木市交通运输局（盖章）", "geermu"),
        ("格尔木市交通运输局(盖章)", "geermu"),
        ("格尔木市交通运输局盖章", "geermu"),
        ("格尔木市局", "geermu"),
        ("格 尔 木 市", "geermu"),
        ("\u3000格尔木市交通局\u3000", "geermu"),
        ("海西州格尔木市交通运输局", "geermu"),
        ("茫崖市建设和交通运输局", "mangya"),
        ("茫崖市交通运输局", "mangya"),
        ("乌兰县建设和交通运输局（盖章）", "wulan"),
        ("大柴旦行委建设和交通运输局", "dachaidan"),
        ("大柴旦", "dachaidan"),
        ("州执法监督局", "jiandu"),
        ("运管科", "yunguan"),
    ],
)
def test_haixi_names_resolve(text, unit_id):
    assert resolve_unit(text, HAIXI) == unit_id


@pytest.mark.parametrize(
    "text, unit_id",
    [
        ("临泉县交通运输局", "linquan"),
        ("临泉", "linquan"),
        ("颖上县", "yingshang"),
        ("界首市局", "jieshou"),
        ("颍州区交通运输局（盖章）", "yingzhou"),
        ("市交通执法支队", "zhidui"),
        ("政策法规科", "zhengfa"),
    ],
)
def test_fuyang_names_resolve(text, unit_id):
    assert resolve_unit(text, FUYANG) == unit_id


@pytest.mark.parametrize("text", ["某某县交通运输局", "州交通运输局", "阜阳市交通运输局"])
def test_unknown_unit_is_reported(text):
    with pytest.raises(NormalizeError, match="未知单位"):
        resolve_unit(text, HAIXI)


def test_name_matching_two_units_names_both():
    with pytest.raises(NormalizeError) as err:
        resolve_unit("格尔木、德令哈", HAIXI)
    assert "格尔木市交通运输局" in str(err.value)
    assert "德令哈市交通运输局" in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", None, "（盖章）"])
def test_blank_unit_is_reported(text):
    with pytest.raises(NormalizeError, match="单位名称为空"):
        resolve_unit(text, HAIXI)


def test_units_of_other_campaign_are_unknown():
    with pytest.raises(NormalizeError):
        resolve_unit("格尔木市交通运输局", FUYANG)


def _scale_campaign(units: int):
    """A province-sized campaign: the names cross (县 inside 市 names, a 局 suffix on some)."""
    import dataclasses

    from etl.config import Unit

    made = tuple(Unit(f"u{i:04d}", f"测试{i:04d}{'市' if i % 3 else '县'}交通运输局", "county",
                      (f"测试{i:04d}局",) if i % 5 == 0 else ()) for i in range(units))
    return dataclasses.replace(FUYANG, id="scale-test", units=made)


def test_contained_names_are_found_as_by_searching_every_key():
    """The substring lookup finds exactly the keys a scan of every key finds (the old way, kept here)."""
    import random

    from etl.normalize.units import _contained, _lookup

    campaign = _scale_campaign(300)
    lookup = _lookup(campaign)
    rng = random.Random(7)
    keys = [*lookup.exact, *lookup.core]
    texts = ["海西州" + rng.choice(keys) + rng.choice(["执法大队", "", "（盖章）", "运管所"]) for _ in range(200)]
    texts += [rng.choice(keys) + rng.choice(keys) for _ in range(50)] + ["", "测", "无关文字" * 40]
    for text in texts:
        expected = set()
        for index in (lookup.exact, lookup.core):
            for key, ids in index.items():
                if len(key) >= 2 and key in text:
                    expected |= ids
        assert _contained(lookup, text) == expected, text
    assert _contained(lookup, "海西州测试0007市交通运输局执法大队") == {"u0007"}


def test_an_edited_alias_is_seen_and_answers_are_remembered_per_unit_list():
    import dataclasses

    from etl.config import Unit

    campaign = _scale_campaign(20)
    with pytest.raises(NormalizeError, match="未知单位“二号站”"):
        resolve_unit("二号站", campaign)
    assert resolve_unit("测试0005局", campaign) == "u0005"
    edited = dataclasses.replace(campaign, units=campaign.units + (Unit("u9", "第九单位", "county", ("二号站",)),))
    assert resolve_unit("二号站", edited) == "u9"
    with pytest.raises(NormalizeError, match="未知单位“二号站”"):  # the old list still answers as before
        resolve_unit("二号站", campaign)
    renamed = dataclasses.replace(campaign, short_name="另一个专项整治")
    with pytest.raises(NormalizeError, match="应为另一个专项整治的单位之一"):
        resolve_unit("二号站", renamed)
