"""Recognition figure on the real-world layout corpus: important columns mapped / present.

    .venv/bin/python scripts/recognition_report.py                  # the code in this tree
    .venv/bin/python scripts/recognition_report.py --before /tmp/before
        # also runs itself against an older checkout (PYTHONPATH=/tmp/before) and prints both

A column counts as mapped when the reader maps its header, as written, to the expected field
(tests/fixtures/real_layouts.py). Works with the old read_file(path) and the new
read_file(path, campaign). The held-out layouts (heldout=True, gathered apart from the vocabulary work) get
their own figure, and the corpus's KNOWN_GAPS (columns still read wrongly) are listed at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # appended: a PYTHONPATH checkout (the "before" code) wins


@cache
def load_corpus():
    """By file path: an older checkout on PYTHONPATH has its own tests package without the corpus."""
    spec = importlib.util.spec_from_file_location("real_layouts", ROOT / "tests" / "fixtures" / "real_layouts.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def read_sheets(path: Path, campaign_id: str):
    from etl.config import load_campaign
    from etl.read import read_file

    try:
        return read_file(path, load_campaign(campaign_id))
    except TypeError:  # the old reader takes the path only
        return read_file(path)


def measure(layout, folder: Path) -> dict:
    corpus = load_corpus()
    path = corpus.write(layout, folder)
    try:
        sheets = read_sheets(path, layout.campaign_id)
    except Exception as exc:  # a file the reader cannot open maps nothing
        return {"read_as": None, "mapped": 0, "error": str(exc)[:80]}
    sheet = max(sheets, key=lambda s: (s.kind is not None, len(s.rows)), default=None)
    columns = sheet.columns if sheet is not None else {}
    mapped = sum(1 for header, field in layout.important.items() if columns.get(field) == header)
    return {"read_as": sheet.kind if sheet else None, "mapped": mapped, "error": None}


def run() -> list[dict]:
    corpus = load_corpus()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, layout in enumerate(corpus.LAYOUTS):
            m = measure(layout, Path(tmp) / str(i))
            out.append({"file": layout.file_name, "kind": layout.kind, "present": len(layout.important),
                        "heldout": getattr(layout, "heldout", False), **m})
    return out


def pct(mapped: int, present: int) -> str:
    return f"{100 * mapped / present:.1f}%" if present else "-"


def cell(r: dict) -> str:
    return f"{str(r['read_as']):<13} {r['mapped']:>2}/{r['present']:<3}"


def summary(rows: list[dict]) -> str:
    mapped, present = sum(r["mapped"] for r in rows), sum(r["present"] for r in rows)
    right = sum(1 for r in rows if r["read_as"] == r["kind"])
    return f"{mapped}/{present} = {pct(mapped, present)}; kind right {right}/{len(rows)}"


def print_table(after: list[dict], before: list[dict] | None) -> None:
    width = max(len(r["file"]) for r in after) + 2
    head = f"{'layout':<{width}}{'kind':<14}"
    head += f"{'before: read as, mapped':<24}" if before else ""
    print(head + "after: read as, mapped")
    for i, r in enumerate(after):
        line = f"{r['file']:<{width}}{r['kind']:<14}"
        line += f"{cell(before[i]):<24}" if before else ""
        print(line + cell(r))
    for label, rows in (("before", before), ("after", after)):
        if rows is None:
            continue
        print(f"{label + ':':<8}{summary(rows)}")
        for part, heldout in (("original", False), ("held-out", True)):
            picked = [r for i, r in enumerate(rows) if after[i]["heldout"] == heldout]
            print(f"  {part + ' ' + str(len(picked)) + ':':<15}{summary(picked)}")


def print_known_gaps() -> None:
    gaps = getattr(load_corpus(), "KNOWN_GAPS", {})
    print(f"known gaps: {sum(len(g) for g in gaps.values())} columns in {len(gaps)} layouts")
    for name, columns in gaps.items():
        wrong = "; ".join(f"{h.replace(chr(10), '⏎')} should {'be ' + f if f else 'not be imported'}"
                          for h, f in columns.items())
        print(f"  {name}: {wrong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the per-layout figures as JSON")
    parser.add_argument("--before", metavar="DIR", help="an older checkout to compare with (e.g. a git worktree)")
    args = parser.parse_args()
    rows = run()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    before = None
    if args.before:
        env = dict(os.environ, PYTHONPATH=args.before)
        done = subprocess.run([sys.executable, __file__, "--json"], env=env, capture_output=True, text=True,
                              check=True, cwd=args.before)
        before = json.loads(done.stdout.strip().splitlines()[-1])
    print_table(rows, before)
    print_known_gaps()


if __name__ == "__main__":
    main()
