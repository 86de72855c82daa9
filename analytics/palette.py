"""颜色：看板图表（plotly）和简报图表（matplotlib PNG）共用，同一状态在两处同色。"""
from __future__ import annotations

BLUE = "#1f4e79"
LIGHT_BLUE = "#7fa7cf"
RED = "#c0392b"
ORANGE = "#e67e22"
YELLOW = "#e0a800"
GREEN = "#2e8b57"
GREY = "#9aa5b1"
PURPLE = "#6c5b7b"
# Series without a meaning (units, categories, years), in order: 12 colours, pairwise CIE76 ΔE ≥ 30, so ten
# unit lines never share a colour (tests/test_chart_hygiene.py). Not the 红黄绿 state colours' exact shades.
PALETTE = ["#1f4e79", "#e67e22", "#2a9d8f", "#8e44ad", "#c0392b", "#7f8c8d",
           "#56b4e9", "#c8a200", "#d63384", "#6b8e23", "#5d4037", "#b2a0dc"]
STATUS_COLORS = {"未整改": RED, "整改中": ORANGE, "已整改": LIGHT_BLUE, "已销号": BLUE, "长期推进": GREY}
STATE_COLORS = {"红": RED, "黄": YELLOW, "绿": GREEN}  # 滞后状态
