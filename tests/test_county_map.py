"""县区地图（analytics/county_map.py、data/maps/）：每个单位要么对到 GeoJSON 里的县区、要么列为无辖区边界，
一个不丢；地图上的数值就是县区进度页（unit_progress）的数值；没有地图配置就没有地图。
夹具库见 tests/fixtures/fixture_db.py（阜阳，统计日 S2 = 2023-06-25）。"""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analytics import county_map as cm
from analytics.page_data.unit_progress import units_with_lagging
from dashboard.charts.county_map import GLYPHS_NEVER_FETCHED, LABEL_STYLE, county_map, label_text
from dashboard.filters import Filters
from etl.config import list_campaigns, load_campaign
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

MAPS = Path(cm.MAPS_DIR)


# ------------------------------------------------------------------ shipped data
@pytest.mark.parametrize("campaign_id, mapped, listed, special", [
    ("fuyang-2023", 8, 4, ("yingshang", "341226", "颍上县")),
    ("haixi-2023", 7, 3, ("dachaidan", "632857", "大柴旦行政委员会")),   # 非标准代码
])
def test_every_unit_is_on_the_map_or_listed(campaign_id, mapped, listed, special):
    config = cm.load_config(campaign_id)
    props = cm.feature_props(cm.load_geojson(config))
    units = {u.id for u in load_campaign(campaign_id).units}
    on_map, off_map = set(config.unit_codes), set(config.non_geographic)
    assert on_map | off_map == units and not on_map & off_map          # 每个单位恰好在一边，没有多余的
    assert (len(on_map), len(off_map)) == (mapped, listed)
    assert sorted(config.unit_codes.values()) == sorted(props)          # 每个代码都有县区，每个县区都有单位
    unit_id, code, name = special
    assert config.unit_codes[unit_id] == code and props[code]["name"] == name


def test_map_configs_belong_to_campaigns():
    """每个地图配置对应一个专项整治（两个示例专项整治都有地图；新的专项整治可以没有）。"""
    assert sorted(p.stem for p in MAPS.glob("*.toml")) == ["fuyang-2023", "haixi-2023"]
    assert {"fuyang-2023", "haixi-2023"} <= set(list_campaigns())


@pytest.mark.parametrize("campaign_id", ["fuyang-2023", "haixi-2023"])
def test_geojson_is_small_and_self_contained(campaign_id):
    path = MAPS / f"{campaign_id}.geojson"
    assert path.stat().st_size < 300 * 1024
    gj = json.loads(path.read_text(encoding="utf-8"))
    for f in gj["features"]:
        assert f["id"] == f["properties"]["code"] and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lon, lat = f["properties"]["label"]
        assert 73 < lon < 136 and 18 < lat < 54 and f["properties"]["area_km2"] > 100
    assert "http" not in path.read_text(encoding="utf-8")


def test_areas_match_official_sizes():
    """面积（由边界计算）与官方公布的面积相差不到 8%：临泉县 1839 平方千米、格尔木市约 11.9 万平方千米。"""
    fy = cm.feature_props(cm.load_geojson(cm.load_config("fuyang-2023")))
    hx = cm.feature_props(cm.load_geojson(cm.load_config("haixi-2023")))
    assert abs(fy["341221"]["area_km2"] / 1839 - 1) < 0.08
    assert abs(hx["632801"]["area_km2"] / 119_200 - 1) < 0.08


# ------------------------------------------------------------------ joining
def _units(ids: list[str]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({"unit_id": ids, "unit_name": [f"{u}局" for u in ids], "problems": [4] * n,
                         "done": [1] * n, "overdue": [2] * n, "leads_received": [10] * n,
                         "lagging_score": [6] * n, "lagging_state": ["红"] * n, "lagging_reasons": ["—"] * n})


def test_nothing_is_dropped_silently():
    config = cm.MapConfig("x", Path("x.geojson"), "", unit_codes={"a": "1", "b": "2", "c": "9"},
                          non_geographic={"d": "局机关科室"})
    props = {"1": {"name": "甲县", "area_km2": 500.0}, "2": {"name": "乙县", "area_km2": 2000.0}}
    mapped, others = cm.split_units(_units(["a", "b", "c", "d", "e"]), config, props)
    assert mapped["unit_id"].tolist() == ["a", "b"]
    assert dict(zip(others["unit_id"], others["note"], strict=True)) == {
        "c": "边界数据中没有代码 9", "d": "局机关科室", "e": "地图配置未列出该单位"}
    # 线索密度 = 10 件 ÷ 500 平方千米 × 1000 = 20；无辖区面积的单位没有密度
    assert mapped["lead_density"].tolist() == [20.0, 5.0]
    assert others["lead_density"].isna().all()
    assert mapped["completion"].tolist() == [0.25, 0.25]


@pytest.fixture(scope="module")
def f(q):
    camps = q.run("campaigns")
    camp = camps[camps["campaign_id"] == CAMPAIGN_ID].iloc[0].to_dict()
    return Filters(campaign_id=CAMPAIGN_ID, as_of=S2, prev_as_of=None, campaign=camp)


def test_values_equal_unit_progress(q, f):
    d = cm.county_map_data(q.run, f)
    both = pd.concat([d.mapped, d.others]).set_index("unit_id")
    truth = units_with_lagging(q.run, f).set_index("unit_id")
    assert sorted(both.index) == sorted(truth.index) and len(truth) == 12
    cols = ["lagging_score", "lagging_state", "done", "problems", "overdue", "leads_received"]
    pd.testing.assert_frame_equal(both.loc[truth.index, cols], truth[cols], check_dtype=False)

    # 手算（夹具）：临泉 已完成 3/6、逾期 2、受理线索 6（L01–L05、L18），面积 1861.9 平方千米
    lq = both.loc["linquan"]
    assert (lq["code"], lq["county"]) == ("341221", "临泉县")
    assert cm.metric_text(lq, "completion") == "50.0%（3/6）"
    assert cm.metric_text(lq, "overdue") == "2个"
    assert math.isclose(lq["lead_density"], 6 / 1861.9 * 1000)
    assert cm.metric_text(lq, "lead_density") == "3.22（6件）"
    assert cm.metric_text(both.loc["taihe"], "completion") == "60.0%（3/5）"
    assert cm.metric_text(both.loc["funan"], "completion") == "66.7%（2/3）"
    # 支队不在地图上，列在旁边，数值照样有：已完成 1/2、逾期 1、受理线索 4
    side = cm.others_table(d.others).set_index("单位")
    assert side.loc["市交通运输综合行政执法支队", "整改率"] == "50.0%（1/2）"
    assert side.loc["市交通运输综合行政执法支队", ["逾期问题", "受理线索"]].tolist() == [1, 4]
    assert side.loc["市交通运输综合行政执法支队", "说明"] == "市级执法队伍（全市）"
    assert list(cm.others_table(d.others, "lead_density").columns) == ["单位", "受理线索", "说明"]


def test_no_config_means_no_map(q, f, tmp_path):
    assert cm.county_map_data(q.run, f, maps_dir=tmp_path).has_map is False
    shutil.copy(MAPS / "fuyang-2023.toml", tmp_path)
    shutil.copy(MAPS / "fuyang-2023.geojson", tmp_path)
    assert cm.county_map_data(q.run, f, maps_dir=tmp_path).has_map is True


def test_panel_says_so_without_a_config(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    def script():
        from analytics.filters import Filters
        from dashboard.county_map_panel import county_map_panel

        county_map_panel(Filters(campaign_id="fuyang-2023", as_of=None, prev_as_of=None, campaign={}))

    monkeypatch.setattr(cm, "MAPS_DIR", tmp_path)
    at = AppTest.from_function(script).run(timeout=30)
    assert not at.exception
    assert "本专项整治没有配置县区地图" in at.info[0].value
    assert not at.get("plotly_chart")


# ------------------------------------------------------------------ chart
def test_chart_is_offline_choroplethmap(q, f):
    d = cm.county_map_data(q.run, f)
    fig = county_map(d.geojson, d.mapped, "lagging", "t")
    assert [t.type for t in fig.data] == ["choroplethmap", "choroplethmap", "scattermap"]
    assert fig.layout.map.style == LABEL_STYLE
    # 没有瓦片源：唯一的源是一个空的本地 GeoJSON（sources 不能为空，见 dashboard/charts/county_map.py）
    assert [(s["type"], s["data"]["features"]) for s in LABEL_STYLE["sources"].values()] == [("geojson", [])]
    urls = json.dumps(fig.layout.map.to_plotly_json()) + json.dumps([t.to_plotly_json() for t in fig.data])
    assert urls.count("http") == 1 and GLYPHS_NEVER_FETCHED.startswith("https://glyphs.invalid/")
    # 县区名称只有汉字：MapLibre 就地画汉字，不去请求 glyphs 地址
    assert list(fig.data[2].text) == ["颍州区", "颍东区", "颍泉区", "临泉县", "太和县", "阜南县", "颍上县", "界首市"]
    assert label_text("大柴旦行政委员会") == "大柴旦"
    data = fig.data[1]
    # 红黄绿 → 0/1/2，同一状态同一颜色
    states = dict(zip(data.locations, data.z, strict=True))
    by_unit = dict(zip(d.mapped["code"], d.mapped["lagging_state"], strict=True))
    assert {code: {0: "绿", 1: "黄", 2: "红"}[z] for code, z in states.items()} == by_unit
    overdue = county_map(d.geojson, d.mapped, "overdue", "t").data[1]
    assert list(overdue.z) == [float(v) for v in d.mapped["overdue"]] and overdue.zmin == 0
