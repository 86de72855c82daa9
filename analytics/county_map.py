"""县区地图的数据：专项整治的地图配置（data/maps/<campaign_id>.toml）+ 本地县区边界 GeoJSON，
与县区进度页同一份单位指标（analytics/page_data/unit_progress.units_with_lagging）连接。

有辖区边界的单位画在地图上；没有边界的单位（支队、中心、科室）以及配置里漏掉的单位都列在地图旁，
一个也不丢。没有地图配置的专项整治没有地图（load_config 返回 None）。不调用 streamlit。
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics import metrics
from analytics.page_data import PageFilters, Run
from analytics.page_data.unit_progress import units_with_lagging
from etl.config import PROJECT_ROOT

MAPS_DIR = PROJECT_ROOT / "data" / "maps"
DENSITY_PER_KM2 = 1000   # 线索密度：每千平方千米的受理线索件数


@dataclass(frozen=True)
class MapMetric:
    key: str
    label: str
    unit: str
    higher_is_worse: bool


MAP_METRICS: dict[str, MapMetric] = {m.key: m for m in [
    MapMetric("lagging", "滞后状态（红黄绿）", "分", True),
    MapMetric("completion", "整改率", "%", False),
    MapMetric("overdue", "逾期问题数", "个", True),
    MapMetric("lead_density", "线索密度", "件/千平方千米", True),
]}
METRIC_HELP = {
    "lagging": metrics.help_text("lagging"),
    "completion": metrics.help_text("completion"),
    "overdue": metrics.help_text("overdue"),
    "lead_density": f"受理线索件数 ÷ 县区面积 × {DENSITY_PER_KM2}（件/千平方千米）；"
                    "面积由边界数据计算，见 data/maps/SOURCE.md。",
}


@dataclass(frozen=True)
class MapConfig:
    campaign_id: str
    geojson_path: Path
    title: str
    unit_codes: dict[str, str]        # unit_id → 边界代码（GeoJSON 要素的 properties.code）
    non_geographic: dict[str, str]    # unit_id → 说明（为什么没有辖区边界）


def load_config(campaign_id: str, maps_dir: Path | None = None) -> MapConfig | None:
    """该专项整治的地图配置（默认在 MAPS_DIR）；没有配置文件时 None（不显示地图）。"""
    maps_dir = maps_dir or MAPS_DIR
    path = maps_dir / f"{campaign_id}.toml"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        d = tomllib.load(fh)
    return MapConfig(campaign_id=campaign_id, geojson_path=maps_dir / d["geojson"],
                     title=d.get("title", ""), unit_codes={k: str(v) for k, v in d.get("units", {}).items()},
                     non_geographic=dict(d.get("non_geographic", {})))


def load_geojson(config: MapConfig) -> dict:
    return json.loads(config.geojson_path.read_text(encoding="utf-8"))


def feature_props(geojson: dict) -> dict[str, dict]:
    """边界代码 → 要素属性（name、area_km2、label 标注点）。"""
    return {f["properties"]["code"]: f["properties"] for f in geojson["features"]}


@dataclass
class CountyMapData:
    config: MapConfig | None
    geojson: dict = field(default_factory=dict)
    mapped: pd.DataFrame = field(default_factory=pd.DataFrame)   # 地图上的单位（每个县区一行）
    others: pd.DataFrame = field(default_factory=pd.DataFrame)   # 不在地图上的单位（note 说明原因）

    @property
    def has_map(self) -> bool:
        return self.config is not None


def _with_values(units: pd.DataFrame) -> pd.DataFrame:
    """整改率（0–1，无问题时为空）与线索密度（无面积时为空）。"""
    out = units.copy()
    out["completion"] = [metrics.rate(d, p) for d, p in zip(out["done"], out["problems"], strict=True)]
    area = out["area_km2"] if "area_km2" in out else pd.Series(float("nan"), index=out.index)
    out["lead_density"] = [l_ / a * DENSITY_PER_KM2 if a and not math.isnan(a) else None
                           for l_, a in zip(out["leads_received"], area, strict=True)]
    return out


def split_units(units: pd.DataFrame, config: MapConfig, props: dict[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """unit_progress 的单位 → (地图上的, 地图旁列出的)。边界代码不在 GeoJSON 里、或配置未列出的单位
    也列在旁边（note 写明），不悄悄丢掉。"""
    code = units["unit_id"].map(config.unit_codes)
    on_map = code.isin(list(props))
    mapped = units[on_map].assign(code=code[on_map])
    mapped = mapped.assign(county=[props[c]["name"] for c in mapped["code"]],
                           area_km2=[float(props[c]["area_km2"]) for c in mapped["code"]])

    def note(row) -> str:
        if row.unit_id in config.non_geographic:
            return config.non_geographic[row.unit_id]
        if row.unit_id in config.unit_codes:
            return f"边界数据中没有代码 {config.unit_codes[row.unit_id]}"
        return "地图配置未列出该单位"

    others = units[~on_map].copy()
    others["note"] = [note(r) for r in others.itertuples()]
    return _with_values(mapped).reset_index(drop=True), _with_values(others).reset_index(drop=True)


def county_map_data(run: Run, f: PageFilters, maps_dir: Path | None = None) -> CountyMapData:
    config = load_config(f.campaign_id, maps_dir)
    if config is None:
        return CountyMapData(None)
    geojson = load_geojson(config)
    mapped, others = split_units(units_with_lagging(run, f), config, feature_props(geojson))
    return CountyMapData(config, geojson, mapped, others)


def metric_text(row, key: str) -> str:
    """一个单位在某指标上的显示文字（比率连同分子分母）。"""
    if key == "lagging":
        return f"{row['lagging_state']}色 {int(row['lagging_score'])}分"
    if key == "completion":
        return metrics.fmt_rate(row["done"], row["problems"])
    if key == "overdue":
        return f"{int(row['overdue'])}个"
    v = row["lead_density"]
    return "—" if v is None or pd.isna(v) else f"{v:.2f}（{int(row['leads_received'])}件）"


OTHERS_COLUMNS = {"lagging": "滞后状态", "completion": "整改率", "overdue": "逾期问题",
                  "lead_density": "受理线索"}   # 没有辖区面积的单位不算线索密度，列受理线索件数


def others_table(others: pd.DataFrame, key: str | None = None) -> pd.DataFrame:
    """地图旁的表：不在地图上的单位及其数值（中文列名）；key 给定时只列该指标（窄栏），否则全部。"""
    values = {
        "滞后状态": [metric_text(r, "lagging") for _, r in others.iterrows()],
        "整改率": [metric_text(r, "completion") for _, r in others.iterrows()],
        "逾期问题": [int(v) for v in others["overdue"]],
        "受理线索": [int(v) for v in others["leads_received"]],
    }
    if key is not None:
        values = {OTHERS_COLUMNS[key]: values[OTHERS_COLUMNS[key]]}
    return pd.DataFrame({"单位": others["unit_name"].tolist(), **values, "说明": others["note"].tolist()})


def mapped_table(mapped: pd.DataFrame) -> pd.DataFrame:
    """地图上各县区的数值（下载用，中文列名）。"""
    return pd.DataFrame({
        "单位": mapped["unit_name"].tolist(),
        "县区": mapped["county"].tolist(),
        "边界代码": mapped["code"].tolist(),
        "滞后状态": [metric_text(r, "lagging") for _, r in mapped.iterrows()],
        "扣分项": mapped["lagging_reasons"].tolist(),
        "整改率": [metric_text(r, "completion") for _, r in mapped.iterrows()],
        "逾期问题": [int(v) for v in mapped["overdue"]],
        "受理线索": [int(v) for v in mapped["leads_received"]],
        "面积（平方千米）": mapped["area_km2"].tolist(),
        "线索密度（件/千平方千米）": [None if v is None or pd.isna(v) else round(v, 2)
                                   for v in mapped["lead_density"]],
    })
