"""Readers: .xlsx/.xlsm/.xls/.csv files → RawSheet (see docs/design.md, "Readers")."""

from __future__ import annotations

from pathlib import Path

from etl.config import Campaign

from .grid import read_grids
from .model import CellError, RawRow, RawSheet, ReadError, SheetNote
from .profiles import ImportProfile
from .sheet import build_sheet
from .vocabulary import refresh_vocabulary

__all__ = ["CellError", "ImportProfile", "RawRow", "RawSheet", "ReadError", "SheetNote", "read_file"]


def read_file(path: Path | str, campaign: Campaign | None = None, profiles: list[ImportProfile] | None = None,
              overrides: dict[str, ImportProfile] | None = None) -> list[RawSheet]:
    """Every sheet of the file (one for CSV). Raises ReadError if the file cannot be read at all.

    With a campaign, columns are also matched by their values (unit names, survey answers) and
    survey questions by the campaign's dimensions. profiles: saved import profiles, applied by
    header fingerprint; overrides: sheet name → the user's one-off choice for that sheet."""
    path = Path(path)
    overrides = overrides or {}
    refresh_vocabulary()
    return [build_sheet(path.name, grid, campaign, profiles, overrides.get(grid.name)) for grid in read_grids(path)]
