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
from .lead_files import write_all_leads, write_unit_registers
from .run import GeneratorRun
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
    units, a matching campaign TOML is written to out_dir/campaign.toml.
    The steps draw from run.plan_rng in this order (leads, then ledgers): keep it."""
    run = _start(campaign, Path(out_dir), seed, units)
    stats, leads_by_unit = _write_leads(run, _lead_counts(run, leads_per_unit, leads_total))
    ledger_m = _write_ledgers(run, leads_by_unit)
    survey_m = _write_surveys(run)
    manifest = _manifest(run, ledger_m, stats, survey_m)
    (run.out / "expected.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
    return manifest


def _start(campaign, out: Path, seed: int, units: int | None) -> GeneratorRun:
    base = load_campaign(campaign) if isinstance(campaign, str) else campaign
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    scale = units is not None
    camp = scaled_campaign(base, units) if scale else base
    toml_paths = write_campaign_toml(base, camp, out) if scale else []
    last_due = max(camp.reporting.ledger_due_dates)
    data_cut = max(camp.end_date, last_due) + timedelta(days=5)
    cal = WorkCalendar(camp.start_date - timedelta(days=10), data_cut + timedelta(days=60))
    return GeneratorRun(base, camp, out, seed, scale, toml_paths, data_cut, cal, rng_for(seed, camp.id, "plan"))


def _lead_counts(run: GeneratorRun, leads_per_unit: int | None, leads_total: int | None) -> list[int]:
    unit_list = run.units
    n_units = len(unit_list)
    if leads_total is not None:
        q, r = divmod(leads_total, n_units)
        return [q + (1 if i < r else 0) for i in range(n_units)]
    if leads_per_unit is not None:
        return [leads_per_unit] * n_units
    return [rng_for(run.seed, run.camp.id, "nleads", u.id).randint(40, 120) for u in unit_list]


def _write_leads(run: GeneratorRun, lead_counts: list[int]) -> tuple[L.LeadStats, dict[str, list[dict]]]:
    """The lead registers; returns their statistics and each unit's substantiated leads (which some
    ledger problems cite). Scale-up mode (or > 200k leads) writes one big .xlsx then CSVs."""
    camp, unit_list, rng = run.camp, run.units, run.plan_rng
    n_units = len(unit_list)
    total_leads = sum(lead_counts)
    lead_bad_unit = unit_list[rng.randrange(n_units)].id
    csv_unit = unit_list[(unit_list.index(camp.unit(lead_bad_unit)) + 1) % n_units].id if n_units > 1 else None
    cross = [(L.fake_name(rng), L.fake_phone(rng))]
    stats = L.LeadStats(camp, run.data_cut)
    make_id = L.lead_id_format(camp, total_leads + 2)
    if run.scale or total_leads > 200_000:
        write_all_leads(run, lead_counts, stats, make_id, lead_bad_unit)
        return stats, {}
    return stats, write_unit_registers(run, lead_counts, stats, make_id, cross, csv_unit, lead_bad_unit)


def _write_ledgers(run: GeneratorRun, leads_by_unit: dict[str, list[dict]]) -> dict:
    camp, unit_list = run.camp, run.units
    relapse_plan = G.relapse_plan(camp, unit_list, run.plan_rng)
    sims = [G.simulate_unit(camp, u, i, len(unit_list), run.seed, leads_by_unit, relapse_plan)
            for i, u in enumerate(unit_list)]
    bad_plan = G.bad_cells_plan(sims, run.plan_rng)
    infos = {}
    for sim in sims:
        infos[sim.unit.id] = G.write_unit_ledgers(camp, sim, run.out, run.seed, bad_plan, fast=run.scale)
        for info in infos[sim.unit.id]:
            run.bad_rows.extend(info.bad_rows)
            run.warnings.extend(info.warnings)
            run.files.append({"file": info.file, "kind": "ledger", "unit_id": sim.unit.id, "sheet": info.sheet,
                              "header_row": info.header_row, "first_data_row": info.first_data_row,
                              "data_rows": info.data_rows, "as_of": iso(info.as_of)})
    return G.ledger_manifest(camp, sims, infos)


def _write_surveys(run: GeneratorRun) -> dict:
    camp, unit_list = run.camp, run.units
    sp = S.plan(camp, unit_list, run.seed)
    sbad = S.pick_bad(unit_list, run.seed, camp, sp)
    per_year = {}
    for year in (2022, 2023):
        res = S.write_year(camp, unit_list, year, run.out, run.seed, sp, run.scale, sbad if year == 2022 else None)
        per_year[year] = res
        run.bad_rows.extend(res[5])
        run.files.append({"file": res[0], "kind": "survey", "unit_id": None, "sheet": res[1], "header_row": res[2],
                          "first_data_row": res[2] + 1, "data_rows": res[3]})
    return S.survey_manifest(camp, per_year)


def _manifest(run: GeneratorRun, ledger_m: dict, stats: L.LeadStats, survey_m: dict) -> dict:
    files, bad_rows = run.files, run.bad_rows
    files.sort(key=lambda f: (f["kind"], f["file"]))
    kinds = ("ledger", "leads", "survey")
    return {
        "campaign_id": run.camp.id,
        "base_campaign_id": run.base.id,
        "seed": run.seed,
        "generator_version": GENERATOR_VERSION,
        "scale_mode": run.scale,
        "campaign_toml": [str(p.relative_to(run.out)) for p in run.toml_paths] or None,
        "units": [u.id for u in run.units],
        "row_numbers": "1-based as in Excel; CSV: line number, header = line 1",
        "file_count": {k: sum(1 for f in files if f["kind"] == k) for k in kinds},
        "data_rows_written": {k: sum(f["data_rows"] for f in files if f["kind"] == k) for k in kinds},
        "bad_rows_planted": {k: sum(1 for b in bad_rows if b["kind"] == k) for k in kinds},
        "bad_rows": sorted(bad_rows, key=lambda b: (b["kind"], b["file"], b["row"])),
        "planted_warnings": sorted(run.warnings, key=lambda b: (b["kind"], b["file"], b["row"])),
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
