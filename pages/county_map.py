"""县区地图：各县区的滞后状态、整改率、逾期问题、线索密度分级设色（离线，本地边界数据）；
没有辖区边界的单位列在地图旁。数据在 analytics/county_map.py。"""
from dashboard import ui
from dashboard.county_map_panel import county_map_panel

f = ui.require_filters()
ui.page_header("县区地图", f)
county_map_panel(f)
