"""Units an account can be scoped to: the units of the campaign TOMLs (data/campaigns)."""

from __future__ import annotations

from dataclasses import dataclass

from etl.config import list_campaigns, load_campaign


@dataclass(frozen=True)
class UnitChoice:
    campaign_id: str
    unit_id: str
    name: str


def unit_choices(campaign_id: str | None = None) -> list[UnitChoice]:
    """Every unit of every campaign (or of one), in file order."""
    ids = [campaign_id] if campaign_id else list_campaigns()
    return [UnitChoice(c.id, u.id, u.name) for c in map(load_campaign, ids) for u in c.units]


def find_unit(text: str, campaign_id: str | None = None) -> UnitChoice:
    """The unit whose id or name (or alias) is text; ValueError with a Chinese message otherwise."""
    key = (text or "").strip()
    if campaign_id and campaign_id not in list_campaigns():
        raise ValueError(f"未知专项整治：{campaign_id}（可选：{'、'.join(list_campaigns())}）")
    found = []
    for cid in [campaign_id] if campaign_id else list_campaigns():
        for u in load_campaign(cid).units:
            if key in (u.id, u.name, *u.aliases):
                found.append(UnitChoice(cid, u.id, u.name))
    if not found:
        raise ValueError(f"未知单位：{key}（单位编号或名称见 data/campaigns/*.toml 的 [[units]]）")
    if len(found) > 1:
        raise ValueError(f"单位 {key} 在多个专项整治中都有，请用 --campaign 指定："
                         f"{'、'.join(f.campaign_id for f in found)}")
    return found[0]
