"""简报图表（PNG）：与看板图表同样的数据、标题，配色同在 analytics/palette.py，用 matplotlib 画，中文字体见 fonts.py。"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from analytics import lagging  # noqa: E402
from analytics.palette import BLUE, GREEN, GREY, RED, STATE_COLORS  # noqa: E402
from reports.brief_text import lagging_thresholds  # noqa: E402
from reports.fonts import matplotlib_font_family  # noqa: E402

DPI = 200


def _setup():
    family = matplotlib_font_family()
    plt.rcParams.update({"font.family": family, "axes.unicode_minus": False, "font.size": 9,
                         "axes.titlesize": 11, "axes.spines.top": False, "axes.spines.right": False})


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _d(v) -> str:
    return pd.Timestamp(v).strftime("%m-%d")


def completion_trend(df: pd.DataFrame) -> bytes:
    """completion_trend.sql → 整改率、销号率折线 + 逾期数柱（右轴）。"""
    _setup()
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    x = list(range(len(df)))
    ax2 = ax.twinx()
    ax2.bar(x, df["overdue"], color=RED, alpha=0.3, label="逾期问题（个，右轴）")
    ax2.set_ylabel("逾期问题（个）")
    ax2.spines["top"].set_visible(False)
    for col, name, color in (("completion", "整改率", BLUE), ("closure", "销号率", GREEN)):
        ax.plot(x, df[col].astype(float), marker="o", color=color, linewidth=2, label=name, zorder=3)
    if len(df):
        last = df.iloc[-1]
        ax.annotate(f"{float(last['completion']):.1%}", (x[-1], float(last["completion"])),
                    textcoords="offset points", xytext=(0, 6), ha="center", color=BLUE)
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_ylim(0, 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([_d(v) for v in df["snap_date"]][::step], rotation=45, ha="right")
    ax.set_xlabel("台账快照日期")
    ax.set_ylabel("比率")
    ax.set_title("整改率、销号率随时间变化", loc="left", pad=22)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False,
              fontsize=8)
    ax.grid(axis="y", color="#eee")
    return _png(fig)


def lagging_bar(df: pd.DataFrame, campaign_id: str) -> bytes:
    """add_lagging 后的 unit_progress → 滞后评分横条（红黄绿）。"""
    _setup()
    d = df.sort_values(["lagging_score", "overdue"], ascending=False, kind="stable")
    fig, ax = plt.subplots(figsize=(7.2, 0.35 * len(d) + 0.9))
    y = list(range(len(d)))
    ax.barh(y, d["lagging_score"], color=[STATE_COLORS.get(s, GREY) for s in d["lagging_state"]])
    ax.set_yticks(y)
    ax.set_yticklabels(d["unit_name"])
    ax.invert_yaxis()
    for yi, s in zip(y, d["lagging_score"], strict=True):
        ax.text(s + 0.1, yi, f"{int(s)}分", va="center", fontsize=8)
    ax.set_xlabel("滞后评分（分）")
    rules = lagging.for_campaign(campaign_id)
    ax.set_title(f"各单位滞后评分（越高越滞后；{lagging_thresholds(short=True, rules=rules)}）", loc="left")
    ax.set_xlim(0, max(rules.red, float(d["lagging_score"].max() if len(d) else 0) + 1.5))
    ax.grid(axis="x", color="#eee")
    return _png(fig)


def unit_rates(df: pd.DataFrame) -> bytes:
    """unit_progress → 各单位整改率、销号率（分组柱）。"""
    _setup()
    d = df[df["problems"] > 0]
    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    x = list(range(len(d)))
    w = 0.38
    for off, num, name, color in ((-w / 2, "done", "整改率", BLUE), (w / 2, "closed", "销号率", GREEN)):
        r = (d[num] / d["problems"]).astype(float)
        ax.bar([i + off for i in x], r, width=w, color=color, label=name)
        for i, v in zip(x, r, strict=True):
            ax.text(i + off, v + 0.01, f"{v:.0%}", ha="center", va="bottom", fontsize=6.5)
    ax.set_xticks(x)
    ax.set_xticklabels([_short(n) for n in d["unit_name"]], rotation=35, ha="right")
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("比率")
    ax.set_title("各单位整改率与销号率", loc="left")
    ax.legend(loc="upper right", ncol=2, frameon=False, fontsize=8)
    ax.grid(axis="y", color="#eee")
    return _png(fig)


def _short(name: str) -> str:
    for suf in ("建设和交通运输局", "交通运输局"):
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


def brief_charts(data) -> list[tuple[str, bytes]]:
    """简报用的全部图：[(图题, PNG 字节)]。"""
    out = []
    if not data.trend.empty:
        out.append(("图1 整改率、销号率随时间变化", completion_trend(data.trend)))
    out.append(("图2 各单位整改率与销号率", unit_rates(data.units)))
    out.append(("图3 各单位滞后评分", lagging_bar(data.units, data.campaign_id)))
    return out
