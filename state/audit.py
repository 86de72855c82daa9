"""Audit log: who did what, when. Free text is phone-scrubbed; no complainant data, no passwords."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from etl.normalize.privacy import scrub_phones
from state.schema import audit_log, utcnow
from state.security import load_security
from state.store import StateStore

if TYPE_CHECKING:
    import pandas

ANONYMOUS = "匿名"
ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "upload": "上传文件",
    "mapping_saved": "保存表头映射",
    "rebuild": "重建数据库",
    "download": "下载/导出",
    "console_query": "查询台查询",
    "user_added": "新增账号",
    "user_disabled": "停用账号",
    "user_enabled": "启用账号",
    "password_reset": "重置密码",
    "role_changed": "修改角色",
    "password_changed": "修改密码",
    "session_expired": "会话过期",
    "upload_deleted": "删除上传文件",
    "upload_refused": "拒绝上传",
    "supervision_created": "新建督办事项",
    "supervision_feedback": "督办反馈",
    "supervision_returned": "督办退回",
    "supervision_verified": "督办核查",
    "supervision_closed": "督办销号",
    "supervision_noticed": "下发督办通知单",
    "supervision_edited": "修改督办事项",
}
COLUMN_LABELS = {"at": "时间", "actor": "操作人", "role": "角色", "action": "操作", "target": "对象",
                 "detail": "详情", "ok": "成功"}
COLUMNS = list(COLUMN_LABELS)
_ACTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|密码", re.IGNORECASE)
_HIDDEN = "（已隐去）"


def _clean(value):
    """Scrub phones in every string; drop values under secret-looking keys."""
    if isinstance(value, str):
        return scrub_phones(value)
    if isinstance(value, dict):
        return {str(k): _HIDDEN if _SECRET_KEY.search(str(k)) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub_phones(str(value))


def detail_json(detail: dict | None) -> str | None:
    """The detail as stored: JSON, phones masked, keys sorted."""
    if detail is None:
        return None
    return json.dumps(_clean(detail), ensure_ascii=False, sort_keys=True)


def write(conn, actor: str, action: str, *, role: str | None = None, target: str | None = None,
          detail: dict | None = None, ok: bool = True, at: datetime | None = None) -> None:
    """Append one audit row on an open connection, inside the caller's transaction."""
    if not _ACTION_ID.match(action):
        raise ValueError(f"审计操作名须为简短英文标识：{action!r}")
    conn.execute(insert(audit_log), {
        "at": at or utcnow(),
        "actor": scrub_phones(str(actor or ANONYMOUS))[:128],
        "role": role,
        "action": action,
        "target": None if target is None else scrub_phones(str(target)),
        "detail": detail_json(detail),
        "ok": bool(ok),
    })


def record(store: StateStore, actor: str, action: str, *, role: str | None = None, target: str | None = None,
           detail: dict | None = None, ok: bool = True, at: datetime | None = None) -> None:
    """Append one audit row (at defaults to now, UTC) in its own transaction."""
    with store.engine.begin() as conn:
        write(conn, actor, action, role=role, target=target, detail=detail, ok=ok, at=at)


def _bound(value: date | datetime, *, end: bool) -> datetime:
    """A date is a whole day (until: inclusive), a naive datetime a wall time, in the display time zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=load_security().tz)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(), tzinfo=load_security().tz)


def list_events(store: StateStore, *, since: date | datetime | None = None, until: date | datetime | None = None,
                actor: str | None = None, action: str | Iterable[str] | None = None,
                limit: int | None = 1000) -> pandas.DataFrame:
    """Newest first; columns at (display time zone), actor, role, action, target, detail (JSON text), ok;
    missing role/target/detail are ""."""
    q = select(*(audit_log.c[c] for c in COLUMNS)).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
    if since is not None:
        q = q.where(audit_log.c.at >= _bound(since, end=False))
    if until is not None:
        bound = _bound(until, end=True)
        q = q.where(audit_log.c.at < bound if not isinstance(until, datetime) else audit_log.c.at <= bound)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if action:
        q = q.where(audit_log.c.action.in_([action] if isinstance(action, str) else list(action)))
    if limit:
        q = q.limit(limit)
    import pandas as pd  # not needed by the command line

    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    df["at"] = pd.to_datetime(df["at"], utc=True).dt.tz_convert(load_security().display_timezone)
    df["ok"] = df["ok"].astype(bool)
    for col in ("role", "target", "detail"):
        df[col] = df[col].fillna("")
    return df


# The detail JSON keeps short ASCII keys and codes where code wrote them; the log page and its export
# show them in Chinese.
DETAIL_KEYS = {"method": "方式", "reason": "原因", "failed_count": "连续失败次数", "role": "角色", "unit_id": "单位",
               "campaign_id": "专项整治", "sso": "统一身份认证", "from": "原角色", "to": "新角色",
               "from_unit_id": "原单位", "items": "事项", "unit_ids": "单位", "sha256": "SHA-256"}
DETAIL_VALUES = {"password": "本地密码", "sso": "统一身份认证", "disabled": "账号已停用", "unbound": "未开通",
                 "locked": "账号已锁定", "locked_now": "本次锁定", "unknown_user": "无此用户",
                 "wrong_password": "密码错误", "wrong_old": "原密码错误", True: "是", False: "否",
                 "office": "专班", "leader": "领导", "unit": "单位", "analyst": "分析员"}


def detail_text(detail: str | None) -> str:
    """操作日志的详情（JSON）→ “键：值；…”的中文，页面和导出用。"""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return str(detail)
    if not isinstance(data, dict):
        return str(data)

    def show(v) -> str:
        if isinstance(v, list):
            return "、".join(show(x) for x in v) or "（无）"
        if v is None:
            return "—"
        return str(DETAIL_VALUES.get(v, v)) if isinstance(v, str | bool) else str(v)

    return "；".join(f"{DETAIL_KEYS.get(k, k)}：{show(v)}" for k, v in data.items())
