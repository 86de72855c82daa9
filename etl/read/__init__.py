"""Readers: .xlsx/.xlsm/.xls/.csv files → RawSheet (see docs/design.md, "Readers")."""

from __future__ import annotations

from pathlib import Path

from .grid import read_grids
from .model import RawRow, RawSheet, ReadError
from .sheet import build_sheet

__all__ = ["RawRow", "RawSheet", "ReadError", "read_file"]


def read_file(path: Path | str) -> list[RawSheet]:
    """Every sheet of the file (one for CSV). Raises ReadError if the file cannot be read at all."""
    path = Path(path)
    return [build_sheet(path.name, grid) for grid in read_grids(path)]
