"""The ledger part of expected.json: what the ETL must count, per unit and in total."""
from __future__ import annotations

from datetime import date

from ..common import iso
from .problems import Problem, Report
from .sheets import SheetInfo
from .simulation import UnitSimulation
from .vocabulary import STATUSES

RELAPSE_RULE = ("basis: manifestation=表现形式为反弹类(F19); text=具体案例含“死灰复燃”/“反弹”; "
                "earlier_round=问题来源含“回头看”; reappeared=同单位同表现形式的另一问题在更早一期台账中已整改/已销号"
                "（表现形式为空的问题不参与）")


def ledger_manifest(campaign, sims: list[UnitSimulation], infos: dict[str, list[SheetInfo]]) -> dict:
    per_unit = {}
    relapses = []
    totals = {s: 0 for s in STATUSES}
    for sim in sims:
        history = _History(sim, infos[sim.unit.id])
        per_unit[sim.unit.id] = _unit_entry(campaign, sim, history)
        for st, n in per_unit[sim.unit.id]["latest"]["status"].items():
            totals[st] += n
        relapses += _relapses(campaign, sim.unit, history)
    return {
        "files": sum(len(sim.reports) for sim in sims),
        "data_rows_written": sum(info.data_rows for sim in sims for info in infos[sim.unit.id]),
        "status_totals_latest": totals,
        "late_reports": sum(1 for u in per_unit.values() for r in u["report_files"] if r["days_late"] > 0),
        "late_reports_beyond_grace": sum(1 for u in per_unit.values() for r in u["report_files"]
                                         if r["late_beyond_grace"]),
        "missing_reports": sum(len(u["missing_due_dates"]) for u in per_unit.values()),
        "relapse_rule": RELAPSE_RULE,
        "relapses": relapses,
        "relapse_count": len(relapses),
        "relapse_planted_count": sum(1 for r in relapses if r["planted"]),
        "per_unit": per_unit,
    }


class _History:
    """One unit's reports read in order: when each problem was first seen, first seen rectified,
    and its latest snapshot."""

    def __init__(self, sim: UnitSimulation, infos: list[SheetInfo]):
        self.infos = infos
        self.seen_first: dict[str, date] = {}
        self.rect_seen: dict[str, date] = {}
        self.last_seen: dict[str, tuple[Report, str]] = {}    # problem → (its latest report, status there)
        for rep, info in zip(sim.reports, infos, strict=True):
            for k, st in info.statuses.items():
                self.seen_first.setdefault(k, rep.as_of)
                self.last_seen[k] = (rep, st)
                if st in ("已整改", "已销号"):
                    self.rect_seen.setdefault(k, rep.as_of)
        self.problems: dict[str, Problem] = ({p.key: p for p in sim.problems}
                                             | {p.key: p for i in infos for p in i.extra_problems})


def _report_entry(rep: Report, info: SheetInfo, grace: int) -> dict:
    return {"file": rep.file, "sheet": info.sheet, "due_date": iso(rep.due), "as_of": iso(rep.as_of),
            "as_of_source": "file_name" if rep.meta_style == "no_date" else "填报时间",
            "days_late": max(0, (rep.as_of - rep.due).days),
            "late_beyond_grace": (rep.as_of - rep.due).days > grace,
            "data_rows": info.data_rows, "problem_rows": len(info.statuses),
            "header_row": info.header_row, "first_data_row": info.first_data_row}


def _unit_entry(campaign, sim: UnitSimulation, h: _History) -> dict:
    last_rep = sim.reports[-1]
    status_counts = {s: 0 for s in STATUSES}
    overdue = 0
    deadline_kinds = {"date": 0, "immediate": 0, "long_term": 0}
    # As the ETL counts (`problems` view): every problem ever reported, at the status of its latest
    # snapshot. A problem missing from the latest file keeps its last written status.
    carried = [{"file": r.file, "row": r.rows[k], "status": st}
               for k, (r, st) in h.last_seen.items() if r is not last_rep]
    for k, (_, st) in h.last_seen.items():
        status_counts[st] += 1
        p = h.problems[k]
        deadline_kinds[p.deadline_kind] += 1
        if p.deadline_kind == "date" and p.deadline < last_rep.as_of and st in ("未整改", "整改中"):
            overdue += 1
    submitted = {r.due for r in sim.reports}
    grace = campaign.reporting.grace_days
    return {
        "unit_name": sim.unit.name,
        "file_format": sim.style.ext,
        "serial_style": "code" if sim.style.use_code else "plain",
        "reports": len(sim.reports),
        "report_files": [_report_entry(rep, info, grace) for rep, info in zip(sim.reports, h.infos, strict=True)],
        "missing_due_dates": [iso(d) for d in campaign.reporting.ledger_due_dates if d not in submitted],
        "distinct_problems": len(h.seen_first),
        "latest": {"file": last_rep.file, "as_of": iso(last_rep.as_of), "problems": len(h.last_seen),
                   "status": status_counts, "overdue": overdue, "deadline_kinds": deadline_kinds,
                   "carried_from_earlier": carried},
    }


def _relapses(campaign, unit, h: _History) -> list[dict]:
    """Planted relapses plus any derived by RELAPSE_RULE."""
    out = []
    for k in h.seen_first:
        p = h.problems[k]
        basis = []
        if campaign.relapse_manifestation and p.manif_code == campaign.relapse_manifestation:
            basis.append("manifestation")
        if "死灰复燃" in p.case_text or "反弹" in p.case_text:
            basis.append("text")
        if "回头看" in p.source:
            basis.append("earlier_round")
        earlier = [q for q in h.seen_first if q != k and p.manif_code is not None
                   and h.problems[q].manif_code == p.manif_code
                   and q in h.rect_seen and h.rect_seen[q] < h.seen_first[k]]
        if earlier:
            basis.append("reappeared")
        if basis:
            out.append({
                "unit_id": unit.id, "serial": p.code or p.serial, "case_text": p.case_text,
                "manifestation_code": p.manif_code, "first_seen": iso(h.seen_first[k]), "basis": basis,
                "planted": p.relapse is not None,
                "planted_kind": p.relapse.kind if p.relapse else None,
                "relapse_of": (p.relapse.relapse_of if p.relapse else None)
                or ",".join(str(h.problems[q].code or h.problems[q].serial) for q in earlier) or None,
            })
    return out
