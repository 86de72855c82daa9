"""The state one generator run shares between its steps."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .common import WorkCalendar


@dataclass
class GeneratorRun:
    """One generator run: the campaign, where the files go, and what expected.json collects."""
    base: object                  # the campaign as configured
    camp: object                  # the campaign generated for (scale-up mode: synthesized units)
    out: Path
    seed: int
    scale: bool
    toml_paths: list[Path]
    data_cut: date
    cal: WorkCalendar
    plan_rng: random.Random
    bad_rows: list[dict] = field(default_factory=list)      # planted rows the ETL must reject (错误)
    warnings: list[dict] = field(default_factory=list)      # planted rows the ETL must load with a 警告
    files: list[dict] = field(default_factory=list)

    @property
    def units(self) -> list:
        return list(self.camp.units)
