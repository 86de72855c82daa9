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
PALETTE = [BLUE, ORANGE, GREEN, RED, PURPLE, GREY, LIGHT_BLUE, YELLOW]  # series without a meaning, in order
STATUS_COLORS = {"未整改": RED, "整改中": ORANGE, "已整改": LIGHT_BLUE, "已销号": BLUE, "长期推进": GREY}
STATE_COLORS = {"红": RED, "黄": YELLOW, "绿": GREEN}  # 滞后状态
