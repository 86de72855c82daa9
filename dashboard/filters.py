"""侧栏共享筛选：专项整治、统计日、单位、问题方面、来源渠道（+ 投影大字号）。

状态保存在 st.session_state（跨页面保留），并同步到 st.query_params，复制链接即可复现视图：
``?campaign=fuyang-2023&as_of=2023-06-25&unit=linquan&unit=taihe&category=逐利执法&channel=信访&big=1``。
页面只调用 ``current()`` 拿到 ``Filters``，用 ``f.params()`` 作为查询参数。
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analytics import comparison
from analytics.filters import Filters  # noqa: F401 — pages and tests import it from here
from dashboard import db

K_CAMPAIGN, K_AS_OF, K_UNITS, K_CATS, K_CHANNELS, K_BIG = (
    "flt_campaign", "flt_as_of", "flt_units", "flt_categories", "flt_channels", "flt_big")
K_STATE = "flt_state"
K_URL_DONE = "flt_url_loaded"
K_URL_WARN = "flt_url_warnings"
SIDEBAR_KEYS = ("campaign", "as_of", "unit", "category", "channel", "big")
LIST_KEYS = ("unit", "category", "channel")


def _dates(df: pd.DataFrame, col: str) -> list[date]:
    return [db.to_date(v) for v in df[col].tolist() if db.to_date(v) is not None]


def current() -> Filters | None:
    """当前页面使用的筛选（由 app.py 的 sidebar() 设置）；数据库不可用时为 None。"""
    import streamlit as st

    return st.session_state.get(K_STATE)


def _qp_list(qp, key: str) -> list[str]:
    try:
        return [v for v in qp.get_all(key) if v]
    except Exception:  # noqa: BLE001
        return []


def _reset_dependents() -> None:
    import streamlit as st

    for k in (K_AS_OF, K_UNITS, K_CATS, K_CHANNELS):
        st.session_state.pop(k, None)


def sidebar() -> Filters | None:
    """在侧栏画筛选控件，返回 Filters 并存入 session_state；库里没有专项整治数据时返回 None。"""
    import streamlit as st

    ss, qp = st.session_state, st.query_params
    from_url = not ss.get(K_URL_DONE, False)

    camps = db.run_query("campaigns")
    if camps.empty:
        ss[K_STATE] = None
        return None
    camp_ids = camps["campaign_id"].tolist()
    # 侧栏宽度只容得下十来个字：选项显示“辖区 年份”，全称在下方说明里
    names = {r.campaign_id: f"{r.issuer.removesuffix('交通运输局')} {pd.Timestamp(r.start_date).year}年专项整治"
             for r in camps.itertuples()}
    warnings: list[str] = []  # 链接里无效的值：说明用了什么代替（页面标题下显示）
    if from_url and qp.get("campaign") in camp_ids:
        ss[K_CAMPAIGN] = qp.get("campaign")
    if ss.get(K_CAMPAIGN) not in camp_ids:
        ss[K_CAMPAIGN] = camp_ids[0]
    if from_url and qp.get("campaign") and qp.get("campaign") not in camp_ids:
        warnings.append(f"链接中的专项整治“{qp.get('campaign')}”不存在，已改用“{names[ss[K_CAMPAIGN]]}”。")

    sb = st.sidebar
    sb.header("筛选")
    cid = sb.selectbox("专项整治", camp_ids, key=K_CAMPAIGN, format_func=lambda c: names.get(c, c),
                       on_change=_reset_dependents)
    camp = camps[camps["campaign_id"] == cid].iloc[0].to_dict()
    sb.caption(f"{camp['name']}（{camp['doc_number']}）")

    snaps = _dates(db.run_query("snapshot_dates", campaign_id=cid), "as_of_date")
    start = db.to_date(camp.get("start_date")) or (snaps[0] if snaps else date.today())
    end = db.to_date(camp.get("end_date")) or start
    lo = min([start, *snaps])
    hi = max([end, *snaps, min(date.today(), end + timedelta(days=365))])
    default_as_of = snaps[-1] if snaps else min(max(date.today(), lo), hi)
    bad_as_of = None
    if from_url and qp.get("as_of"):
        raw = qp.get("as_of")
        try:
            ss[K_AS_OF] = date.fromisoformat(raw)
        except ValueError:
            bad_as_of = f"链接中的统计日“{raw}”不是有效日期（应写成 2023-06-25 这样）"
        else:
            if not (lo <= ss[K_AS_OF] <= hi):
                bad_as_of = f"链接中的统计日“{raw}”不在本专项整治可选的范围（{lo:%Y-%m-%d} 至 {hi:%Y-%m-%d}）内"
    cur = ss.get(K_AS_OF)
    if not isinstance(cur, date) or not (lo <= cur <= hi):
        ss[K_AS_OF] = default_as_of
    if bad_as_of:
        what = "最近一次台账快照日期" if snaps else "默认统计日"
        warnings.append(f"{bad_as_of}，已改用{what} {ss[K_AS_OF]:%Y-%m-%d}。")
    as_of = sb.date_input("统计日（截至）", key=K_AS_OF, min_value=lo, max_value=hi,
                          format="YYYY-MM-DD",
                          help="每个问题取该日及以前最近一期台账中的状态；默认最近一次台账快照日期。")
    prev = comparison.previous_date(camp, as_of, snaps)  # 与简报同一条“上期”规则（配置 compare_with）
    if snaps:
        sb.caption("台账快照：" + "、".join(f"{d:%m-%d}" for d in snaps[-6:])
                   + "　" + comparison.sentence(camp, as_of, prev))

    units = db.run_query("units", campaign_id=cid)
    unit_names = dict(zip(units["unit_id"], units["name"], strict=True))
    cats = db.run_query("category_options", campaign_id=cid)["category"].tolist()
    chans = db.run_query("channel_options", campaign_id=cid)["channel"].tolist()
    for key, url_key, options, what, everything in (
            (K_UNITS, "unit", list(unit_names), "单位", "全部单位"), (K_CATS, "category", cats, "问题方面", "全部方面"),
            (K_CHANNELS, "channel", chans, "来源渠道", "全部渠道")):
        if from_url and url_key in qp:
            ss[key] = _qp_list(qp, url_key)
            bad = [v for v in ss[key] if v not in options]
            if bad:
                kept = [v for v in ss[key] if v in options]
                shown = ("其余所选的" + what) if kept else everything
                warnings.append(f"链接中的{what}“{'、'.join(bad)}”不在本专项整治中，已忽略，现显示{shown}。")
        ss[key] = [v for v in ss.get(key, []) if v in options]
    sel_units = sb.multiselect("单位（不选 = 全部）", list(unit_names), key=K_UNITS,
                               format_func=lambda u: unit_names.get(u, u), placeholder="全部单位")
    sel_cats = sb.multiselect("问题方面（不选 = 全部）", cats, key=K_CATS, placeholder="全部方面")
    sel_chans = sb.multiselect("来源渠道（不选 = 全部）", chans, key=K_CHANNELS, placeholder="全部渠道")
    if from_url and qp.get("big") == "1":
        ss[K_BIG] = True
    big = sb.toggle("投影大字号", key=K_BIG, help="会议投影时放大图表文字。")

    f = Filters(
        campaign_id=cid, as_of=as_of, prev_as_of=prev, units=tuple(sel_units),
        categories=tuple(sel_cats), channels=tuple(sel_chans), big=bool(big), campaign=camp,
        unit_names=unit_names, snapshot_dates=tuple(snaps),
    )
    ss[K_STATE] = f
    if from_url:
        ss[K_URL_WARN] = (warnings, _warn_key(f))
    ss[K_URL_DONE] = True
    _write_url(f)
    return f


def _warn_key(f: Filters) -> tuple:
    return (f.campaign_id, f.as_of, f.units, f.categories, f.channels)


def url_warnings(f: Filters) -> list[str]:
    """打开链接时发现的无效值及改用的值；用户改了侧栏筛选之后不再显示。"""
    import streamlit as st

    warnings, key = st.session_state.get(K_URL_WARN, ([], None))
    return warnings if key == _warn_key(f) else []


def _write_url(f: Filters) -> None:
    import streamlit as st

    want: dict[str, str | list[str]] = {"campaign": f.campaign_id, "as_of": f.as_of.isoformat()}
    if f.units:
        want["unit"] = list(f.units)
    if f.categories:
        want["category"] = list(f.categories)
    if f.channels:
        want["channel"] = list(f.channels)
    if f.big:
        want["big"] = "1"
    # 只动侧栏的键：页面自己的键（下钻、只看…，dashboard/drill_url.py）留在链接里
    qp = st.query_params
    for k in SIDEBAR_KEYS:
        have = (qp.get_all(k) if k in LIST_KEYS else qp.get(k)) if k in qp else None
        if want.get(k) != have:
            if k in want:
                qp[k] = want[k]
            else:
                del qp[k]
