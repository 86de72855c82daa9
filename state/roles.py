"""Roles and their permissions, as data (data/roles.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROLES_PATH = Path(__file__).resolve().parent.parent / "data" / "roles.toml"

PERMISSIONS: dict[str, str] = {
    "view": "查看页面",
    "brief": "下载简报",
    "export": "导出明细",
    "upload": "上传数据",
    "rebuild": "重建数据库",
    "mapping": "保存表头映射",
    "console": "SQL 查询台",
    "admin": "账号管理",
    "audit": "审计日志",
    "supervise": "督办（创建、核查、销号、通知单）",
    "feedback": "反馈本单位的督办事项",
}


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    description: str
    permissions: frozenset[str]
    scoped: bool  # sees and uploads only its own unit's data; needs a unit_id

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def _role(role_id: str, d: dict, path: Path) -> Role:
    perms = frozenset(d.get("permissions", ()))
    unknown = perms - PERMISSIONS.keys()
    if unknown:
        raise ValueError(f"{path}：角色 {role_id} 含未知权限 {sorted(unknown)}")
    return Role(role_id, d["label"], d.get("description", ""), perms, bool(d.get("scoped", False)))


@cache
def load_roles(path: Path = ROLES_PATH) -> dict[str, Role]:
    """Roles by id, in file order."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    return {role_id: _role(role_id, d, path) for role_id, d in data.items()}


def role_by_name(text: str) -> Role | None:
    """A role by id (office) or Chinese label (专班); None when neither."""
    name = (text or "").strip()
    roles = load_roles()
    if name in roles:
        return roles[name]
    return next((r for r in roles.values() if r.label == name), None)
