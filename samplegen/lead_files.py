"""Lead registers (问题线索登记表) as files: one per unit, or in scale-up mode one big .xlsx then CSVs."""
from __future__ import annotations

import csv
from datetime import timedelta

from . import leads as L
from .common import fmt_date, loose_unit_name, rng_for, short_name
from .run import GeneratorRun
from .writers import BigXlsxWriter, SheetData, write_csv, write_xlsx

BIG_XLSX_ROWS = 100_000
CSV_ROWS_PER_FILE = 250_000


def write_unit_registers(run: GeneratorRun, lead_counts: list[int], stats: L.LeadStats, make_id, cross,
                         csv_unit: str | None, bad_unit: str) -> dict[str, list[dict]]:
    """One register per unit, 线索编号 numbered by assignment date across all units. Returns each
    unit's substantiated leads (属实/部分属实), which some ledger problems cite."""
    camp = run.camp
    all_leads = []
    for i, (u, n) in enumerate(zip(run.units, lead_counts, strict=True)):
        rng = rng_for(run.seed, camp.id, "leads", u.id)
        ul = L.gen_unit_leads(camp, u, n, rng, run.cal, run.data_cut, cross_repeaters=cross if i < 2 else ())
        all_leads.extend((ld["assigned"], i, j, ld) for j, ld in enumerate(ul))
    all_leads.sort(key=lambda t: t[:3])
    for k, (*_, ld) in enumerate(all_leads, 1):
        ld["lead_id"] = make_id(k)
    extra_id = make_id(len(all_leads) + 1)
    leads_by_unit: dict[str, list[dict]] = {}
    for u in run.units:
        ul = [t[3] for t in all_leads if t[3]["unit_id"] == u.id]
        ul.sort(key=lambda d: (d["received"], d["lead_id"]))
        leads_by_unit[u.id] = [d for d in ul if d["finding"] in ("属实", "部分属实")]
        for ld in ul:
            stats.add(ld)
        _write_register(run, u, ul, u.id == csv_unit, u.id == bad_unit, extra_id)
    return leads_by_unit


def _write_register(run: GeneratorRun, unit, ul: list[dict], as_csv: bool, plant_bad: bool, extra_id: str) -> None:
    camp, seed, out, bad_rows, files = run.camp, run.seed, run.out, run.bad_rows, run.files
    rng = rng_for(seed, camp.id, "lead-sheet", unit.id)
    header = L.unit_header(rng)
    unit_text = L.unit_text_chooser(unit, rng)
    rows = [L.lead_row(ld, unit_text(), rng, as_csv) for ld in ul]
    sheet = "" if as_csv else rng.choice(["线索登记表", "Sheet1"])
    file = f"{short_name(unit)}_问题线索登记表" + (".csv" if as_csv else ".xlsx")
    top = 1 if as_csv else 3            # rows above the data
    if plant_bad and len(rows) > 10:
        # unknown 承办单位 (own unique id) and a duplicated row (same 线索编号 twice)
        u_row = rows[5][:]
        u_row[0], u_row[4] = extra_id, L.UNKNOWN_UNIT
        rows.insert(6, u_row)
        bad_rows.append({"kind": "leads", "problem": "unknown_unit", "file": file, "sheet": sheet, "row": top + 7,
                         "column": "承办单位", "column_no": 5, "raw_value": L.UNKNOWN_UNIT, "unit_id": unit.id})
        dup = rows[2][:]
        rows.insert(len(rows) - 3, dup)
        bad_rows.append({"kind": "leads", "problem": "duplicate_lead_id", "file": file, "sheet": sheet,
                         "row": top + len(rows) - 3, "column": "线索编号", "column_no": 1, "raw_value": dup[0],
                         "duplicate_of_row": top + 3, "unit_id": unit.id})
    if as_csv:
        write_csv(out / file, [header] + rows, encoding="gb18030")
    else:
        meta = f"填报单位：{loose_unit_name(unit, rng)}        填报时间：{fmt_date(max(ld['received'] for ld in ul) + timedelta(days=3), 'cn')}"
        grid = [["问题线索登记表"] + [None] * 11, [meta] + [None] * 11, header] + rows
        write_xlsx(out / file, [SheetData(sheet, grid, [(1, 1, 1, 12), (2, 1, 2, 12)], bold_rows=(1, 3),
                                          widths={1: 24, 7: 40})])
    files.append({"file": file, "kind": "leads", "unit_id": unit.id, "sheet": sheet, "header_row": top,
                  "first_data_row": top + 1, "data_rows": len(rows),
                  "encoding": "gb18030" if as_csv else None})


def write_all_leads(run: GeneratorRun, lead_counts: list[int], stats: L.LeadStats, make_id, bad_unit: str) -> None:
    """Scale-up: all units' leads in one big .xlsx (first ~100k rows) then CSV files of 250k rows."""
    camp, unit_list, seed, cal, data_cut, out = run.camp, run.units, run.seed, run.cal, run.data_cut, run.out
    bad_rows, files = run.bad_rows, run.files
    total = sum(lead_counts)
    xlsx_rows = min(BIG_XLSX_ROWS, total // 2)
    header = L.HEADER
    sinks: list[dict] = []

    def new_sink():
        k = len(sinks) + 1
        if not sinks:
            name = f"问题线索登记表_汇总_{k:02d}.xlsx"
            w = BigXlsxWriter(out / name, "线索登记表")
            w.append(["问题线索登记表（汇总）"])
            w.append(header)
            s = {"file": name, "xlsx": w, "rows": 0, "cap": xlsx_rows, "top": 2, "sheet": "线索登记表"}
        else:
            name = f"问题线索登记表_汇总_{k:02d}.csv"
            enc = "gb18030" if k % 2 == 0 else "utf-8-sig"
            f = open(out / name, "w", encoding=enc, newline="")
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(header)
            s = {"file": name, "fh": f, "csv": w, "rows": 0, "cap": CSV_ROWS_PER_FILE, "top": 1, "sheet": "",
                 "encoding": enc}
        sinks.append(s)
        return s

    def cur():
        return sinks[-1] if sinks and sinks[-1]["rows"] < sinks[-1]["cap"] else new_sink()

    def emit(row):
        s = cur()
        if "xlsx" in s:
            s["xlsx"].append(row)
        else:
            s["csv"].writerow(["" if v is None else v for v in row])
        s["rows"] += 1
        return s, s["top"] + s["rows"]

    n = 0
    planted = False
    for u, cnt in zip(unit_list, lead_counts, strict=True):
        rng = rng_for(seed, camp.id, "leads", u.id)
        ul = L.gen_unit_leads(camp, u, cnt, rng, cal, data_cut)
        text = L.unit_text_chooser(u, rng)
        for j, ld in enumerate(ul):
            n += 1
            ld["lead_id"] = make_id(n)
            stats.add(ld)
            row = L.lead_row(ld, text(), rng, "csv" in cur())
            emit(row)
            if not planted and u.id == bad_unit and j == 2:
                planted = True
                s, r = emit(row[:])
                bad_rows.append({"kind": "leads", "problem": "duplicate_lead_id", "file": s["file"], "sheet": s["sheet"],
                                 "row": r, "column": "线索编号", "column_no": 1, "raw_value": row[0],
                                 "duplicate_of_row": r - 1, "unit_id": u.id})
                bad = row[:]
                bad[0], bad[4] = make_id(total + 1), L.UNKNOWN_UNIT
                s, r = emit(bad)
                bad_rows.append({"kind": "leads", "problem": "unknown_unit", "file": s["file"], "sheet": s["sheet"],
                                 "row": r, "column": "承办单位", "column_no": 5, "raw_value": L.UNKNOWN_UNIT,
                                 "unit_id": u.id})
    for s in sinks:
        if "xlsx" in s:
            s["xlsx"].close()
        else:
            s["fh"].close()
        files.append({"file": s["file"], "kind": "leads", "unit_id": None, "sheet": s["sheet"],
                      "header_row": s["top"], "first_data_row": s["top"] + 1, "data_rows": s["rows"],
                      "encoding": s.get("encoding")})
