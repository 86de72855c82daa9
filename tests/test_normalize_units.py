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
