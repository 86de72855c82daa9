"""One unit's ledger history: its report dates and problems (no files yet), planted relapses included."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..common import rng_for, unit_code
from .problems import PlantedRelapse, Problem, ProblemDraw, Report, UnitStyle, new_problem, short_manif, unique_synonyms
from .vocabulary import EARLIER_ROUND, PLACES


@dataclass
class UnitSimulation:
    unit: object
    style: UnitStyle
    reports: list[Report]
    problems: list[Problem]


def simulate_unit(campaign, unit, idx, n_units, seed, leads_by_unit, relapse_plan) -> UnitSimulation:
    """Problems and report dates of one unit. The order of the RNG draws fixes the generated files."""
    rng = rng_for(seed, campaign.id, "ledger", unit.id)
    style = UnitStyle(campaign, unit, idx, rng, n_units)
    reports = _reports(campaign, unit, style, rng, relapse_plan.get("skip", {}).get(unit.id))
    draw = ProblemDraw(campaign, unit, rng, style, unique_synonyms(campaign))
    problems = _draw_problems(draw, campaign.reporting.ledger_due_dates[0], reports[-1].as_of)
    _link_leads(problems, leads_by_unit.get(unit.id, []))
    for spec in relapse_plan.get("units", {}).get(unit.id, []):
        _plant_relapse(draw, problems, reports, spec)
    problems.sort(key=lambda p: (p.discovered, p.case_text))
    _number(problems, unit, style)
    _cite_originals(problems)
    return UnitSimulation(unit, style, reports, problems)


def _reports(campaign, unit, style: UnitStyle, rng: random.Random, skipped_due: date | None) -> list[Report]:
    """One report per due date (except the skipped one), a few days early or, one in five, late."""
    reports = []
    for due in campaign.reporting.ledger_due_dates:
        if skipped_due == due:
            continue
        if rng.random() < 0.22:
            as_of = due + timedelta(days=rng.randint(1, 6))
        else:
            as_of = due - timedelta(days=rng.randint(0, 5))
        reports.append(Report(unit.id, due, as_of, meta_style=style.meta_style))
    return reports


def _draw_problems(draw: ProblemDraw, first_due: date, last_day: date) -> list[Problem]:
    campaign, rng = draw.campaign, draw.rng
    pool = [m for m in campaign.manifestations if m.code != campaign.relapse_manifestation]
    rng.shuffle(pool)
    n = rng.randint(8, 25)
    problems: list[Problem] = []
    for i in range(n):
        if rng.random() < 0.5:
            disc = campaign.start_date + timedelta(days=rng.randint(0, max(1, (first_due - campaign.start_date).days - 3)))
        else:
            disc = first_due + timedelta(days=rng.randint(0, max(1, (last_day - first_due).days - 8)))
        r = rng.random()
        kind = "stuck" if r < 0.13 else "long_term" if r < 0.23 else "immediate" if r < 0.31 else "normal"
        problems.append(new_problem(draw, pool[i % len(pool)], disc, kind))
    return problems


def _link_leads(problems: list[Problem], substantiated_leads: list[dict]) -> None:
    """Up to three problems not found by the unit itself come from its substantiated leads."""
    for p, lead in zip([p for p in problems if p.source != "自查自纠"][:3], substantiated_leads, strict=False):
        if lead["assigned"] < p.discovered:
            p.source = lead["channel_raw"]
            p.case_text += f"（线索编号：{lead['lead_id']}）"
            p.linked_lead = lead["lead_id"]


def _plant_relapse(draw: ProblemDraw, problems: list[Problem], reports: list[Report], spec: dict) -> None:
    if spec["kind"] == "earlier_round":
        problems.append(_earlier_round_relapse(draw, reports, spec.get("marker")))
        return
    relapse = _repeat_of_rectified(draw, problems, reports, spec["kind"], spec.get("marker"))
    if relapse:
        problems.append(relapse)


def _earlier_round_relapse(draw: ProblemDraw, reports: list[Report], marker: str | None) -> Problem:
    """A problem the 2021 round had rectified, back again (问题来源 says 回头看)."""
    campaign, rng = draw.campaign, draw.rng
    m = rng.choice([m for m in campaign.manifestations if m.code != campaign.relapse_manifestation])
    disc = reports[len(reports) // 2].as_of - timedelta(days=rng.randint(3, 15))
    b = new_problem(draw, m, disc, "normal")
    b.source = EARLIER_ROUND
    if marker:
        b.case_text = f"2021年已整改的{short_manif(m).removesuffix('问题')}问题{marker}，{b.case_text}"
    b.relapse = PlantedRelapse("earlier_round", marker)
    return b


def _repeat_of_rectified(draw: ProblemDraw, problems, reports, kind: str, marker: str | None) -> Problem | None:
    """A problem repeating one this unit reported rectified (kind same: same 表现形式; f19: the
    campaign's relapse 表现形式). The original must be rectified in a report strictly before the
    relapse first appears."""
    campaign, rng = draw.campaign, draw.rng
    cands = []
    for a in problems:
        if a.kind in ("normal", "immediate") and a.d_rect and a.relapse is None:
            shown = [r for r in reports if r.as_of >= a.d_rect]
            if len(shown) >= 2 and shown[0].as_of >= a.discovered:
                cands.append((a, shown))
    if not cands:
        return None
    a, shown = rng.choice(cands)
    lo = shown[0].as_of + timedelta(days=1)
    hi = max(lo, shown[-1].as_of - timedelta(days=3))
    disc = lo + timedelta(days=rng.randint(0, (hi - lo).days))
    m = campaign.manifestation(campaign.relapse_manifestation if kind == "f19" else a.manif_code)
    b = new_problem(draw, m, disc, rng.choice(["normal", "stuck"]))
    if kind == "f19":
        b.case_text = f"{rng.choice(PLACES)}{short_manif(campaign.manifestation(a.manif_code))}问题{marker or '死灰复燃'}"
        draw.used_cases.add(b.case_text)
    elif marker:
        b.case_text = f"此前整改的{short_manif(m).removesuffix('问题')}问题{marker}，{b.case_text}"
    b.relapse = PlantedRelapse(kind, marker, original=a, cite=kind == "f19")
    return b


def _number(problems: list[Problem], unit, style: UnitStyle) -> None:
    """序号 in discovery order; units that keep stable 编号 write e.g. GEM-2023-007."""
    prefix = unit_code(unit.id)
    for i, p in enumerate(problems, 1):
        p.serial = i
        p.key = f"{unit.id}#{i}"
        if style.use_code:
            p.code = f"{prefix}-2023-{i:03d}"


def _cite_originals(problems: list[Problem]) -> None:
    for p in problems:
        if p.relapse and p.relapse.original is not None:
            a = p.relapse.original
            p.relapse.relapse_of = a.code or str(a.serial)
            if p.relapse.cite:
                p.case_text += f"（原{a.code or '第' + str(a.serial) + '号'}问题）"
