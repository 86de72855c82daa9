"""Law-enforcement satisfaction surveys (满意度测评), respondent-level, one file per year."""
from __future__ import annotations

import random

from .common import rng_for, unit_code
from .writers import BigXlsxWriter, SheetData, write_xlsx

TYPES = ["运输企业", "货车司机", "客运司机", "群众"]
BAD_ANSWER = 7


def plan(campaign, units, seed: int) -> dict:
    rng = rng_for(seed, campaign.id, "survey-plan")
    ids = [u.id for u in units]
    picks = rng.sample(ids, min(4, len(ids)))
    low = picks[:2]              # clearly low satisfaction
    few_both = picks[2:3]        # below min_responses both years
    few_2023 = picks[3:4]        # below min_responses in 2023 only
    return {"low": low, "few_both": few_both, "few_2023": few_2023}


def _unit_responses(campaign, unit, year: int, p: dict, seed: int, small: bool):
    rng = rng_for(seed, campaign.id, "survey", year, unit.id)
    n = rng.randint(30, 40) if small else rng.randint(30, 80)
    mn = campaign.survey.min_responses
    if unit.id in p["few_both"] or (year == 2023 and unit.id in p["few_2023"]):
        n = rng.randint(max(3, mn // 3), mn - 3)
    base = rng.uniform(4.45, 4.85)
    if unit.id in p["low"]:
        base = rng.uniform(2.8, 3.2) if year == 2023 or unit.id == p["low"][0] else rng.uniform(3.7, 3.9)
    dims = campaign.survey.dimensions
    offs = {d: rng.uniform(-0.2, 0.15) for d in dims}
    if unit.id in p["low"]:
        offs[dims[1]] -= 0.4   # 执法态度 worst
    names = [unit.name, unit.name, *unit.aliases[:2]]
    out = []
    for i in range(1, n + 1):
        answers = [max(1, min(5, round(rng.gauss(base + offs[d], 0.7)))) for d in dims]
        out.append({"response_id": f"{year}-{unit_code(unit.id)}-{i:03d}", "unit_text": rng.choice(names),
                    "type": rng.choice(TYPES), "answers": answers})
    return out


def write_year(campaign, units, year: int, out_dir, seed: int, p: dict, scale: bool, bad: dict | None):
    """Write 满意度测评_<year>.xlsx. Answers as numbers in 2022, as words in 2023."""
    words = {v: k for k, v in campaign.survey.scale.items()}
    dims = list(campaign.survey.dimensions)
    header = ["问卷编号", "测评年度", "被测评单位", "受访者类型", *dims]
    file = f"满意度测评_{year}.xlsx"
    as_words = year >= 2023
    title = f"{year}年度交通运输执法满意度测评结果（问卷明细）" if as_words else None
    sheet = "测评明细" if as_words else "Sheet1"
    rows: list[list[object]] = []
    if title:
        rows.append([title] + [None] * (len(header) - 1))
    rows.append(header)
    header_row = len(rows)
    stats: dict[str, dict] = {}
    bad_rows = []
    writer = None
    if scale:
        writer = BigXlsxWriter(out_dir / file, sheet)
        for r in rows:
            writer.append(r)
    row_no = header_row
    for unit in units:
        resp = _unit_responses(campaign, unit, year, p, seed, small=scale)
        st = stats.setdefault(unit.id, {"responses": 0, "valid_responses": 0, "sums": [0] * len(dims),
                                        "counts": [0] * len(dims)})
        for j, r in enumerate(resp):
            row_no += 1
            vals: list[object] = [(words[a] if as_words else a) for a in r["answers"]]
            is_bad = bad is not None and bad["unit_id"] == unit.id and j == bad["index"]
            if is_bad:
                col = dims.index(bad["dimension"])
                vals[col] = BAD_ANSWER if not as_words else str(BAD_ANSWER)
                bad_rows.append({"kind": "survey", "problem": "answer_out_of_range", "file": file, "sheet": sheet,
                                 "row": row_no, "column": bad["dimension"], "column_no": 5 + col,
                                 "raw_value": str(BAD_ANSWER), "unit_id": unit.id})
            year_cell = year if (j % 7) else f"{year}年"
            row = [r["response_id"], year_cell, r["unit_text"], r["type"], *vals]
            if writer:
                writer.append(row)
            else:
                rows.append(row)
            st["responses"] += 1
            if not is_bad:
                st["valid_responses"] += 1
            for k, a in enumerate(r["answers"]):
                if is_bad:  # the ETL rejects the whole questionnaire, not just the bad answer
                    continue
                st["sums"][k] += a
                st["counts"][k] += 1
    if writer:
        writer.close()
    else:
        merges = [(1, 1, 1, len(header))] if title else []
        write_xlsx(out_dir / file, [SheetData(sheet, rows, merges, bold_rows=tuple(range(1, header_row + 1)))])
    data_rows = row_no - header_row
    return file, sheet, header_row, data_rows, stats, bad_rows


def survey_manifest(campaign, per_year: dict) -> dict:
    out = {}
    mn = campaign.survey.min_responses
    for year, (file, sheet, header_row, data_rows, stats, _bad) in per_year.items():
        units = {}
        for uid, st in stats.items():
            dim_scores = {d: round(s / c * 20, 2) if c else None
                          for d, s, c in zip(campaign.survey.dimensions, st["sums"], st["counts"], strict=True)}
            tot_s, tot_c = sum(st["sums"]), sum(st["counts"])
            units[uid] = {"responses": st["responses"], "valid_responses": st["valid_responses"],
                          "score": round(tot_s / tot_c * 20, 2) if tot_c else None, "dimension_scores": dim_scores}
        ranked = [u for u, v in units.items() if v["responses"] >= mn]
        out[str(year)] = {
            "file": file, "sheet": sheet, "header_row": header_row, "data_rows": data_rows,
            "answers_as": "words" if int(year) >= 2023 else "numbers",
            "per_unit": units,
            "below_min_responses": sorted(u for u, v in units.items() if v["responses"] < mn),
            "low_score_units": sorted(u for u in ranked if units[u]["score"] < campaign.survey.low_score_below),
        }
    return out


def pick_bad(units, seed: int, campaign, p: dict) -> dict:
    rng = random.Random(f"{seed}:{campaign.id}:survey-bad")
    normal = [u.id for u in units if u.id not in p["few_both"] + p["few_2023"]]
    return {"unit_id": rng.choice(normal), "index": 4, "dimension": campaign.survey.dimensions[2]}
