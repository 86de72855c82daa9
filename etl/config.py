"""Campaign configuration: one TOML file per jurisdiction in data/campaigns/."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl.lagging_config import ConfigError, LaggingRules, parse_lagging
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
    compare_with: str = "report_period"   # “上期”规则：weekly | report_period（analytics/comparison.py）


@dataclass(frozen=True)
class Survey:
    dimensions: tuple[str, ...]
    scale: dict[str, int]
    low_score_below: float
    low_rank_bottom: int
    min_responses: int


# 红黑榜可用的指标：名称 → 中文名（analytics/page_data/supervision.py 按名称取值）
SUPERVISION_METRICS = {"completion": "整改率"}


@dataclass(frozen=True)
class ListRule:
    """红榜/黑榜的入榜条件：metric 的值 op（at_least ≥ / below <）bound。"""
    metric: str
    op: str
    bound: float

    @property
    def metric_label(self) -> str:
        return SUPERVISION_METRICS[self.metric]


@dataclass(frozen=True)
class Supervision:
    """督办：默认期限、蓝黄红三色的界限（工作日）、连续红色期数、红黑榜、通知单编号前缀。"""
    default_working_days: int
    blue_within: int
    yellow_within: int
    red_streak_periods: int
    honor_roll: ListRule
    black_list: ListRule
    notice_prefix: str


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
    supervision: Supervision
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


def _list_rule(raw: object, op: str, where: str) -> ListRule:
    if not isinstance(raw, dict) or set(raw) != {"metric", op}:
        raise ConfigError(f"{where}：须写成 {{ metric = 指标, {op} = 数值 }}，实际为 {raw}")
    if raw["metric"] not in SUPERVISION_METRICS:
        raise ConfigError(f"{where}：未知的指标 metric = {raw['metric']!r}（可用 {'、'.join(SUPERVISION_METRICS)}）")
    bound = raw[op]
    if isinstance(bound, bool) or not isinstance(bound, int | float) or not 0 <= bound <= 1:
        raise ConfigError(f"{where}：{op} 须为 0～1 之间的比率（如 0.90 表示 90%），实际为 {bound!r}")
    return ListRule(raw["metric"], op, float(bound))


def parse_supervision(d: dict, source: Path) -> Supervision:
    if "supervision" not in d:
        raise ConfigError(f"{source}：缺少 [supervision]（督办默认期限、蓝黄红界限、红黑榜）")
    sv, where = d["supervision"], f"{source} [supervision]"
    counts = ("default_working_days", "blue_within", "yellow_within", "red_streak_periods")
    for key in (*counts, "honor_roll", "black_list", "notice_prefix"):
        if key not in sv:
            raise ConfigError(f"{where}：缺少 {key}")
    for key in counts:
        if isinstance(sv[key], bool) or not isinstance(sv[key], int) or sv[key] < 0:
            raise ConfigError(f"{where}：{key} 须为不小于 0 的整数（工作日数或期数），实际为 {sv[key]!r}")
    if sv["default_working_days"] < 1 or sv["red_streak_periods"] < 1:
        raise ConfigError(f"{where}：default_working_days 和 red_streak_periods 至少为 1")
    if not sv["yellow_within"] < sv["blue_within"]:
        raise ConfigError(f"{where}：须 yellow_within < blue_within（黄色比蓝色更近期限），"
                          f"实际 yellow_within = {sv['yellow_within']}，blue_within = {sv['blue_within']}")
    honor = _list_rule(sv["honor_roll"], "at_least", where + " honor_roll")
    black = _list_rule(sv["black_list"], "below", where + " black_list")
    if honor.metric == black.metric and black.bound > honor.bound:
        raise ConfigError(f"{where}：黑榜界限（{black.bound}）不能高于红榜界限（{honor.bound}），否则同一单位会同时上红黑榜")
    prefix = str(sv["notice_prefix"]).strip()
    if not prefix:
        raise ConfigError(f"{where}：notice_prefix（督办通知单编号前缀，如“督办”）不能为空")
    return Supervision(sv["default_working_days"], sv["blue_within"], sv["yellow_within"], sv["red_streak_periods"],
                       honor, black, prefix)


COMPARE_RULES = ("weekly", "report_period")


def _compare_with(rep: dict, source: Path) -> str:
    rule = rep.get("compare_with", "report_period")
    if rule not in COMPARE_RULES:
        raise ConfigError(f"{source} [reporting]：compare_with 须为 {' 或 '.join(COMPARE_RULES)}"
                          f"（weekly = 上一个周报日，report_period = 上一个台账报送期），实际为 {rule!r}")
    return rule


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
            compare_with=_compare_with(rep, source),
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
        supervision=parse_supervision(d, source),
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
