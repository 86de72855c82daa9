"""`make bench`'s rebuild benchmark (bench/build_speed.py) on a tiny generated campaign: each step runs in its
own process and reports what it did. A cold build reads every generated file; adding a ledger reads that one
file and updates the database in place; changing it reads it again; a lagging-threshold change reads nothing.
Counts are worked out from the generated folder, not taken from the benchmark."""
from __future__ import annotations

from bench import build_speed


def test_rebuild_benchmark_steps_read_what_they_should(tmp_path):
    source = build_speed.generate(tmp_path, units=3, leads=300)
    generated = len([p for p in source.rglob("*") if p.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".csv"}])
    steps = {"cold", "add-ledger", "change-ledger", "config-lagging"}
    out = build_speed.one_round(source, build_speed.campaign_file_of(source), tmp_path, workers=1, steps=steps)
    assert set(out) == steps
    cold, added, changed, lagging = (out[s] for s in ("cold", "add-ledger", "change-ledger", "config-lagging"))
    assert (cold["files"], cold["from_cache"], bool(cold.get("in_place"))) == (generated, 0, False)
    assert (added["files"], added["from_cache"], added["in_place"]) == (generated + 1, generated, True)
    assert added["records"] > cold["records"]
    assert (changed["files"], changed["from_cache"], changed["in_place"]) == (generated + 1, generated, True)
    assert (lagging["files"], lagging["from_cache"], lagging["in_place"]) == (generated + 1, generated + 1, True)
    assert lagging["records"] == changed["records"]
    assert all(r["seconds"] > 0 and r["peak_mb"] > 0 for r in out.values())
