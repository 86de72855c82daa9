"""Campaign configuration: one TOML file per jurisdiction in data/campaigns/."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl.lagging_config import LaggingRules, parse_lagging
from etl.normalize.workdays import parse_schedule

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CAMPAIGNS_DIR = PROJECT_ROOT / "data" / "campaigns"


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifestation:
    code: str
    name: str
    category: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    name: str
    synonyms: tuple[str, ...]
    manifestations: tuple[Manifestation, ...]


@dataclass(frozen=True)
class Stage:
    name: str
    start: date
    deadline: date | None  # None: 长期推进
    long_term: bool = False


@dataclass(frozen=True)
class Reporting:
    weekly_report_weekday: int
    monthly_brief_day: int
    ledger_due_dates: tuple[date, ...]
    grace_days: int


@dataclass(frozen=True)
class Survey:
    dimensions: tuple[str, ...]
    scale: dict[str, int]
    low_score_below: float
    low_rank_bottom: int
    min_responses: int


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    short_name: str
    doc_number: str
    issuer: str
    office: str
    region_label: str
    start_date: date
    end_date: date
    ledger_layout: str
    relapse_manifestation: str
    reporting: Reporting
    lead_working_days: int
    survey: Survey
    min_items: int
    stages: tuple[Stage, ...]
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    lagging: LaggingRules
    source: Path = field(default=Path(), compare=False)
    # Years of the holiday schedule entered in this file's [calendar] section; etl.normalize.workdays
    # reads them (with data/calendar.toml) for every campaign.
    calendar_years: tuple[int, ...] = ()

    @property
    def manifestations(self) -> tuple[Manifestation, ...]:
        return tuple(m for c in self.categories for m in c.manifestations)

    def unit(self, unit_id: str) -> Unit:
        return next(u for u in self.units if u.id == unit_id)

    def manifestation(self, code: str) -> Manifestation:
        return next(m for m in self.manifestations if m.code == code)


def _campaign_from_dict(d: dict, source: Path) -> Campaign:
    rep, sv = d["reporting"], d["survey"]
    categories = tuple(
        Category(
            name=c["name"],
            synonyms=tuple(c.get("synonyms", ())),
            manifestations=tuple(
                Manifestation(m["code"], m["name"], c["name"], tuple(m.get("synonyms", ())))
                for m in c["manifestations"]
            ),
        )
        for c in d["categories"]
    )
    return Campaign(
        id=d["id"],
        name=d["name"],
        short_name=d.get("short_name", d["name"]),
        doc_number=d["doc_number"],
        issuer=d["issuer"],
        office=d["office"],
        region_label=d.get("region_label", "全市"),
        start_date=d["start_date"],
        end_date=d["end_date"],
        ledger_layout=d["ledger_layout"],
        relapse_manifestation=d.get("relapse_manifestation", ""),
        reporting=Reporting(
            weekly_report_weekday=rep["weekly_report_weekday"],
            monthly_brief_day=rep["monthly_brief_day"],
            ledger_due_dates=tuple(rep["ledger_due_dates"]),
            grace_days=rep.get("grace_days", 0),
        ),
        lead_working_days=d["leads"]["working_days_limit"],
        survey=Survey(
            dimensions=tuple(sv["dimensions"]),
            scale=dict(sv["scale"]),
            low_score_below=float(sv["low_score_below"]),
            low_rank_bottom=int(sv["low_rank_bottom"]),
            min_responses=int(sv["min_responses"]),
        ),
        min_items=d["ranking"]["min_items"],
        stages=tuple(
            Stage(s["name"], s["start"], s.get("deadline"), s.get("long_term", False))
            for s in d["stages"]
        ),
        units=tuple(
            Unit(u["id"], u["name"], u["kind"], tuple(u.get("aliases", ()))) for u in d["units"]
        ),
        categories=categories,
        lagging=parse_lagging(d, source),
        source=source,
        calendar_years=tuple(sorted(parse_schedule(d.get("calendar", {}), f"{source} [calendar]"))),
    )


def load_campaign(campaign_id: str, campaigns_dir: Path = CAMPAIGNS_DIR) -> Campaign:
    path = campaigns_dir / f"{campaign_id}.toml"
    if not path.exists():
        raise FileNotFoundError(f"找不到专项整治配置文件：{path}")
    with path.open("rb") as f:
        return _campaign_from_dict(tomllib.load(f), path)


def list_campaigns(campaigns_dir: Path = CAMPAIGNS_DIR) -> list[str]:
    return sorted(p.stem for p in campaigns_dir.glob("*.toml"))
