"""Rectification ledgers (整改台账): simulated problems, snapshots per report date, messy sheets.

vocabulary (the words written) → problems (one problem's texts and dates) → simulation (one unit's
history) → sheets (one report as a sheet, the unit's files) → manifest (expected.json); plans says
where the generator plants what the ETL must catch.
"""
from .manifest import ledger_manifest
from .plans import bad_cells_plan, relapse_plan
from .sheets import SheetInfo, write_unit_ledgers
from .simulation import UnitSimulation, simulate_unit
from .vocabulary import STATUSES

__all__ = ["STATUSES", "SheetInfo", "UnitSimulation", "bad_cells_plan", "ledger_manifest", "relapse_plan",
           "simulate_unit", "write_unit_ledgers"]
