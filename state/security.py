"""Sign-in and session settings (data/security.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

SECURITY_PATH = Path(__file__).resolve().parent.parent / "data" / "security.toml"


@dataclass(frozen=True)
class Security:
    max_failures: int = 5
    lockout_minutes: int = 15
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    password_min_length: int = 10
    display_timezone: str = "Asia/Shanghai"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)


@cache
def load_security(path: Path = SECURITY_PATH) -> Security:
    """Settings from the file; a missing key keeps its default."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    known = {f.name for f in fields(Security)}
    unknown = data.keys() - known
    if unknown:
        raise ValueError(f"{path}：未知设置 {sorted(unknown)}")
    settings = Security(**data)
    for f in fields(Security):
        value = getattr(settings, f.name)
        if f.type == "int" and (not isinstance(value, int) or value <= 0):
            raise ValueError(f"{path}：{f.name} 须为正整数")
    settings.tz  # noqa: B018 — fails early on an unknown time zone
    return settings
