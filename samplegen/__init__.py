"""Deterministic generator of messy sample inputs (ledgers, lead registers, surveys) + expected.json.

    python -m samplegen --campaign fuyang-2023 --out data/sample/fuyang-2023 [--seed 2023]
    python -m samplegen --campaign haixi-2023 --out /tmp/big --units 3000 --leads 1000000
"""
from __future__ import annotations

import argparse
import json
import shutil
from datetime import timedelta
from pathlib import Path

from etl.config import load_campaign

from . import leads as L
from . import ledger as G
from . import survey as S
from .common import WorkCalendar, iso, rng_for
from .lead_files import write_all_leads, write_unit_register
from .scale import scaled_campaign, write_campaign_toml

GENERATOR_VERSION = 2   # 2: the row without 问题方面 is a planted 警告 (loaded), no longer a bad row


def _clean(out: Path) -> None:
    """Remove what an earlier run wrote (only generator-made files)."""
    if not out.exists():
        return
    for p in out.iterdir():
        if p.is_file() and (p.suffix in (".xlsx", ".xls", ".xlsm", ".csv") or p.name in ("expected.json", "campaign.toml")):
            p.unlink()
    if (out / "campaigns").is_dir():
        shutil.rmtree(out / "campaigns")


def generate(campaign, out_dir, seed: int = 2023, units: int | None = None, leads_per_unit: int | None = None,
             leads_total: int | None = None) -> dict:
    """Write sample inputs for `campaign` (Campaign or id) into out_dir; return the manifest
    (also written as out_dir/expected.json). units=N switches to scale-up mode: N synthesized
    units, a matching campaign TOML is written to out_dir/campaign.toml."""
    base = load_campaign(campaign) if isinstance(campaign, str) else campaign
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    scale = units is not None
    camp = scaled_campaign(base, units) if scale else base
    toml_paths = write_campaign_toml(base, camp, out) if scale else []
    unit_list = list(camp.units)
    n_units = len(unit_list)
    last_due = max(camp.reporting.ledger_due_dates)
    data_cut = max(camp.end_date, last_due) + timedelta(days=5)
    cal = WorkCalendar(camp.start_date - timedelta(days=10), data_cut + timedelta(days=60))
    plan_rng = rng_for(seed, camp.id, "plan")

    # ---- per-unit lead counts
    if leads_total is not None:
        q, r = divmod(leads_total, n_units)
        lead_counts = [q + (1 if i < r else 0) for i in range(n_units)]
    elif leads_per_unit is not None:
        lead_counts = [leads_per_unit] * n_units
    else:
        lead_counts = [rng_for(seed, camp.id, "nleads", u.id).randint(40, 120) for u in unit_list]
    total_leads = sum(lead_counts)
    big_leads = scale or total_leads > 200_000

    bad_rows: list[dict] = []      # planted rows the ETL must reject (错误)
    warnings: list[dict] = []      # planted rows the ETL must load with a 警告
    files: list[dict] = []
    # ---- leads
    lead_bad_unit = unit_list[plan_rng.randrange(n_units)].id
    csv_unit = unit_list[(unit_list.index(camp.unit(lead_bad_unit)) + 1) % n_units].id if n_units > 1 else None
    cross = [(L.fake_name(plan_rng), L.fake_phone(plan_rng))]
    stats = L.LeadStats(camp, data_cut)
    make_id = L.lead_id_format(camp, total_leads + 2)
    leads_by_unit: dict[str, list[dict]] = {}
    if big_leads:
        write_all_leads(camp, unit_list, lead_counts, seed, cal, data_cut, out, stats, make_id, lead_bad_unit,
                         bad_rows, files)
    else:
        all_leads = []
        for i, (u, n) in enumerate(zip(unit_list, lead_counts, strict=True)):
            rng = rng_for(seed, camp.id, "leads", u.id)
            ul = L.gen_unit_leads(camp, u, n, rng, cal, data_cut, cross_repeaters=cross if i < 2 else ())
            all_leads.extend((ld["assigned"], i, j, ld) for j, ld in enumerate(ul))
        all_leads.sort(key=lambda t: t[:3])
        for k, (*_, ld) in enumerate(all_leads, 1):
            ld["lead_id"] = make_id(k)
        extra_id = make_id(len(all_leads) + 1)
        for u in unit_list:
            ul = [t[3] for t in all_leads if t[3]["unit_id"] == u.id]
            ul.sort(key=lambda d: (d["received"], d["lead_id"]))
            leads_by_unit[u.id] = [d for d in ul if d["finding"] in ("属实", "部分属实")]
            for ld in ul:
                stats.add(ld)
            write_unit_register(camp, u, ul, seed, out, u.id == csv_unit, u.id == lead_bad_unit, extra_id,
                                 bad_rows, files)

    # ---- ledgers
    relapse_plan = G.relapse_plan(camp, unit_list, plan_rng)
    sims = [G.simulate_unit(camp, u, i, n_units, seed, leads_by_unit, relapse_plan) for i, u in enumerate(unit_list)]
    bad_plan = G.bad_cells_plan(sims, plan_rng)
    infos = {}
    for sim in sims:
        infos[sim.unit.id] = G.write_unit_ledgers(camp, sim, out, seed, bad_plan, fast=scale)
        for info in infos[sim.unit.id]:
            bad_rows.extend(info.bad_rows)
            warnings.extend(info.warnings)
            files.append({"file": info.file, "kind": "ledger", "unit_id": sim.unit.id, "sheet": info.sheet,
                          "header_row": info.header_row, "first_data_row": info.first_data_row,
                          "data_rows": info.data_rows, "as_of": iso(info.as_of)})
    ledger_m = G.ledger_manifest(camp, sims, infos)

    # ---- surveys
    sp = S.plan(camp, unit_list, seed)
    sbad = S.pick_bad(unit_list, seed, camp, sp)
    per_year = {}
    for year in (2022, 2023):
        res = S.write_year(camp, unit_list, year, out, seed, sp, scale, sbad if year == 2022 else None)
        per_year[year] = res
        bad_rows.extend(res[5])
        files.append({"file": res[0], "kind": "survey", "unit_id": None, "sheet": res[1], "header_row": res[2],
                      "first_data_row": res[2] + 1, "data_rows": res[3]})
    survey_m = S.survey_manifest(camp, per_year)

    files.sort(key=lambda f: (f["kind"], f["file"]))
    kinds = ("ledger", "leads", "survey")
    manifest = {
        "campaign_id": camp.id,
        "base_campaign_id": base.id,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "scale_mode": scale,
        "campaign_toml": [str(p.relative_to(out)) for p in toml_paths] or None,
        "units": [u.id for u in unit_list],
        "row_numbers": "1-based as in Excel; CSV: line number, header = line 1",
        "file_count": {k: sum(1 for f in files if f["kind"] == k) for k in kinds},
        "data_rows_written": {k: sum(f["data_rows"] for f in files if f["kind"] == k) for k in kinds},
        "bad_rows_planted": {k: sum(1 for b in bad_rows if b["kind"] == k) for k in kinds},
        "bad_rows": sorted(bad_rows, key=lambda b: (b["kind"], b["file"], b["row"])),
        "planted_warnings": sorted(warnings, key=lambda b: (b["kind"], b["file"], b["row"])),
        # every data row is read; the planted bad rows are rejected, all others (warned ones too) loaded
        "rows_expected": {k: {"read": sum(f["data_rows"] for f in files if f["kind"] == k),
                              "loaded": sum(f["data_rows"] for f in files if f["kind"] == k)
                              - sum(1 for b in bad_rows if b["kind"] == k),
                              "rejected": sum(1 for b in bad_rows if b["kind"] == k)} for k in kinds},
        "files": files,
        "ledger": ledger_m,
        "leads": stats.manifest() | {"data_rows_written": sum(f["data_rows"] for f in files if f["kind"] == "leads")},
        "survey": survey_m,
        "personal_data_note": "投诉人姓名、电话均为随机生成的虚构数据",
    }
    (out / "expected.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samplegen", description="生成确定性的样例报送文件及 expected.json")
    ap.add_argument("--campaign", required=True, help="专项整治配置 id，如 fuyang-2023")
    ap.add_argument("--out", required=True, type=Path, help="输出目录")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--units", type=int, default=None, help="压测模式：合成 N 个单位（另写 campaign.toml）")
    ap.add_argument("--leads", type=int, default=None, help="线索总条数（平均分配到各单位）")
    args = ap.parse_args(argv)
    m = generate(args.campaign, args.out, seed=args.seed, units=args.units, leads_total=args.leads)
    print(f"已生成 {m['campaign_id']} 样例：{sum(m['file_count'].values())} 个文件，"
          f"台账 {m['data_rows_written']['ledger']} 行，线索 {m['data_rows_written']['leads']} 行，"
          f"测评 {m['data_rows_written']['survey']} 行 → {args.out}")
    return 0
