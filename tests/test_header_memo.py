"""The header spans' best kinds are remembered across files (a template's header rows recur in thousands
of ledgers): every sample file's header comes out the same from a cold memo and from a warm one."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from etl.config import PROJECT_ROOT, load_campaign
from etl.read import header
from etl.read.grid import read_grids

SAMPLE = PROJECT_ROOT / "data" / "sample"


def _headers(campaign_id: str, files: list[Path]) -> list:
    campaign = load_campaign(campaign_id)
    out = []
    for path in files:
        found = [header.find_header(grid.rows, campaign) for grid in read_grids(path)]
        out.append([None if h is None else dataclasses.replace(h, column_map=None) for h in found])
    return out


def test_headers_are_the_same_from_a_cold_and_a_warm_memo():
    for campaign_id in ("fuyang-2023", "haixi-2023"):
        files = sorted(p for p in (SAMPLE / campaign_id).rglob("*") if p.suffix in (".xlsx", ".xls", ".csv"))
        assert len(files) > 10
        header._SPAN_CHOICES.clear()
        cold = _headers(campaign_id, files)
        remembered = len(header._SPAN_CHOICES)
        warm = _headers(campaign_id, files)
        assert warm == cold
        assert sum(h is not None and h.kind == "ledger" for sheets in cold for h in sheets) > 5
        assert 0 < remembered and len(header._SPAN_CHOICES) == remembered  # the second pass found them all
        header._SPAN_CHOICES.clear()
        assert _headers(campaign_id, files[::-1])[::-1] == cold  # and in another order
