"""Where the generator plants the cases the ETL must handle: relapses, missing reports, bad cells."""
from __future__ import annotations

import random

from .simulation import UnitSimulation


def relapse_plan(camp, unit_list, rng: random.Random) -> dict:
    """{"skip": unit id → the due date it misses, "units": unit id → relapse specs to plant}."""
    ids = [u.id for u in unit_list]
    dues = list(camp.reporting.ledger_due_dates)
    picks = rng.sample(ids, min(len(ids), 6))
    skip = {}
    if len(picks) >= 6 and len(dues) >= 4:
        skip = {picks[4]: dues[len(dues) // 2], picks[5]: dues[-1]}   # missing reports
    specs = [{"kind": "same"}, {"kind": "f19" if camp.relapse_manifestation else "same", "marker": "死灰复燃"},
             {"kind": "earlier_round", "marker": "问题反弹"}, {"kind": "same", "marker": "问题反弹"}]
    units: dict[str, list] = {}
    for i, spec in enumerate(specs):
        units.setdefault(picks[i % min(3, len(picks))], []).append(spec)
    return {"skip": skip, "units": units}


def bad_cells_plan(sims: list[UnitSimulation], rng: random.Random) -> dict:
    """(unit id, report index) of: an impossible deadline, the row without 问题方面, a report without date."""
    cands = [s for s in sims if len(s.reports) >= 3]
    a, b = (rng.sample(cands, 2) if len(cands) >= 2 else (cands[0], cands[0]))
    # impossible deadline in a middle report of unit a, on a problem that also appears in the latest
    i = len(a.reports) // 2
    as_of = a.reports[i].as_of
    keys = [p.key for p in a.problems if p.discovered <= as_of and p.deadline_kind == "date"]
    plan = {"deadline": ((a.unit.id, i), rng.choice(keys))} if keys else {}
    plan["missing_category"] = (b.unit.id, len(b.reports) // 2 - 1)
    c = rng.choice(sims)
    plan["no_date"] = (c.unit.id, 1 if len(c.reports) > 2 else 0)
    return plan
