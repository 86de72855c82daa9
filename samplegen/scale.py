"""Scale-up mode: synthesized units and the matching campaign TOML written next to the output."""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from etl.config import Unit, _campaign_from_dict


def synth_units(n: int) -> tuple[Unit, ...]:
    return tuple(Unit(f"u{i:04d}", f"测试单位{i:04d}", "县", (f"测试{i:04d}", f"测试单位{i:04d}交通运输局"))
                 for i in range(1, n + 1))


def scaled_campaign(base, n_units: int):
    return replace(base, id=f"{base.id}-scale", name=base.name + "（压测）", units=synth_units(n_units))


def write_campaign_toml(base, campaign, out_dir: Path) -> list[Path]:
    """Copy the base TOML with id/name replaced and the [[units]] replaced by the synthesized ones.
    Written as <out>/campaign.toml and <out>/campaigns/<id>.toml (so load_campaign(id, out/'campaigns')
    works)."""
    text = Path(base.source).read_text(encoding="utf-8")
    i_units = text.index("[[units]]")
    i_cats = text.index("[[categories]]", i_units)
    head, tail = text[:i_units], text[i_cats:]
    head = re.sub(r'(?m)^id = ".*"$', f'id = "{campaign.id}"', head, count=1)
    head = re.sub(r'(?m)^name = ".*"$', f'name = "{campaign.name}"', head, count=1)
    units = "".join(
        f'[[units]]\nid = "{u.id}"\nname = "{u.name}"\nkind = "{u.kind}"\n'
        f'aliases = [{", ".join(chr(34) + a + chr(34) for a in u.aliases)}]\n'
        for u in campaign.units)
    # the old command name stays in this line: changing it would change every generated campaign.toml
    out = f"# 压测用配置：由 python -m etl sample --units {len(campaign.units)} 生成\n" + head + units + "\n" + tail
    paths = [out_dir / "campaign.toml", out_dir / "campaigns" / f"{campaign.id}.toml"]
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(out, encoding="utf-8")
    check = _campaign_from_dict(tomllib.loads(out), paths[0])
    assert check.units == campaign.units and check.id == campaign.id
    return paths
