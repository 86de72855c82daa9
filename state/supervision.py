"""督办事项：专班交办给单位、单位反馈、专班核查销号，每一步留历史（谁、何时、从何状态到何状态）和审计日志。

状态只存 督办中 → 已反馈 → 已核查 → 已销号（已反馈可退回督办中）；“逾期”和蓝黄红等级由期限推出
（analytics/supervision_rules.py），不存。scope：单位账号的 unit_id（或 analytics.scope.UnitScope），
None 为不限单位；带 scope 的调用碰到别的单位的事项一律拒绝。所有文字先去掉电话号码再存。
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import insert, select, update

from etl.config import list_campaigns, load_campaign
from etl.normalize.privacy import scrub_phones
from state import audit
from state.evidence_files import EvidenceError, check_files, store_file
from state.schema import (
    accounts,
    supervision_events,
    supervision_evidence,
    supervision_items,
    supervision_links,
    utcnow,
)
from state.store import StateStore
from state.supervision_read import (
    LIST_COLUMNS,
    NOT_YOURS,
    SupervisionError,
    check_scope,
    evidence_bytes,
    get_item,
    list_items,
)

SOURCES = ("周例会", "约谈", "挂牌督办", "领导批示", "专班交办")
OPEN, ANSWERED, CHECKED, CLOSED = "督办中", "已反馈", "已核查", "已销号"
STATUSES = (OPEN, ANSWERED, CHECKED, CLOSED)
LINK_KINDS = {"problem": "问题", "lead": "线索", "unit": "单位"}
__all__ = ["SOURCES", "STATUSES", "LINK_KINDS", "LIST_COLUMNS", "NOT_YOURS", "SupervisionError", "create_item",
           "add_feedback", "return_item", "verify", "close", "edit_item", "record_notice", "list_items", "get_item",
           "evidence_bytes"]
# action → (from, to, verb)
_TRANSITIONS = {
    "feedback": (OPEN, ANSWERED, "反馈"),
    "returned": (ANSWERED, OPEN, "退回"),
    "verified": (ANSWERED, CHECKED, "核查"),
    "closed": (CHECKED, CLOSED, "销号"),
}
def _text(value, what: str, *, required: bool = True, limit: int | None = None) -> str:
    text = scrub_phones(str(value or "").strip()) or ""
    if required and not text:
        raise SupervisionError(f"请填写{what}")
    if limit and len(text) > limit:
        raise SupervisionError(f"{what}不能超过 {limit} 个字，现有 {len(text)} 个字")
    return text


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise SupervisionError(f"期限须为日期，实际为 {value!r}")
    return value


def _check_unit(campaign_id: str, unit_id: str) -> None:
    if campaign_id not in list_campaigns():
        raise SupervisionError(f"未知专项整治：{campaign_id}")
    if unit_id not in {u.id for u in load_campaign(campaign_id).units}:
        raise SupervisionError(f"专项整治 {campaign_id} 中没有单位 {unit_id}")


def _links(links: Iterable) -> list[dict]:
    out, seen = [], set()
    for kind, ref, label in links or ():
        if kind not in LINK_KINDS:
            raise SupervisionError(f"关联对象类型须为 {'、'.join(LINK_KINDS)}（{'、'.join(LINK_KINDS.values())}），"
                                   f"实际为 {kind!r}")
        ref = _text(ref, f"关联{LINK_KINDS[kind]}的编号", limit=128)
        if (kind, ref) not in seen:
            seen.add((kind, ref))
            out.append({"kind": kind, "ref": ref, "label": _text(label, "关联对象的说明", required=False, limit=255)})
    return out


def _audit(conn, actor: str, action: str, target: str, detail: dict) -> None:
    role = conn.execute(select(accounts.c.role).where(accounts.c.username == actor)).scalar()
    audit.write(conn, actor, f"supervision_{action}", role=role, target=target, detail=detail)


def _event(conn, item_id: int, action: str, actor: str, now: datetime, from_status: str | None,
           to_status: str | None, note: str | None) -> int:
    return conn.execute(insert(supervision_events).returning(supervision_events.c.id), {
        "item_id": item_id, "at": now, "actor": actor, "action": action,
        "from_status": from_status, "to_status": to_status, "note": note or None}).scalar_one()


def _locked_item(conn, item_id: int, scope=None):
    row = conn.execute(select(supervision_items).where(supervision_items.c.id == int(item_id))
                       .with_for_update()).first()
    if row is None:
        raise SupervisionError(f"没有编号为 {item_id} 的督办事项")
    check_scope(row, scope)
    return row


def create_item(store: StateStore, *, campaign_id: str, unit_id: str, source: str, title: str, requirement: str,
                owner: str, deadline: date, deadline_rule: str | None = None, links: Iterable = (), actor: str,
                now: datetime | None = None) -> int:
    """A new item (督办中) with its links and a 'created' event; returns its id."""
    if source not in SOURCES:
        raise SupervisionError(f"督办来源须为 {'、'.join(SOURCES)} 之一，实际为 {source!r}")
    _check_unit(campaign_id, unit_id)
    now = now or utcnow()
    row = {"campaign_id": campaign_id, "unit_id": unit_id, "source": source,
           "title": _text(title, "督办事项标题", limit=200), "requirement": _text(requirement, "督办要求"),
           "owner": _text(owner, "责任人", required=False, limit=128), "deadline": _day(deadline),
           "deadline_rule": _text(deadline_rule, "期限说明", required=False, limit=64) or None,
           "status": OPEN, "created_at": now, "created_by": actor, "updated_at": now}
    link_rows = _links(links)
    with store.engine.begin() as conn:
        item_id = conn.execute(insert(supervision_items).returning(supervision_items.c.id), row).scalar_one()
        if link_rows:
            conn.execute(insert(supervision_links), [{"item_id": item_id, **r} for r in link_rows])
        _event(conn, item_id, "created", actor, now, None, OPEN, None)
        _audit(conn, actor, "created", f"督办事项 {item_id}", {"campaign_id": campaign_id, "unit_id": unit_id, "source": source,
                                                 "deadline": row["deadline"].isoformat(), "links": len(link_rows)})
    return item_id


def _transition(store: StateStore, item_id: int, action: str, note: str | None, actor: str, now: datetime | None,
                scope=None, files=()) -> str:
    before, after, verb = _TRANSITIONS[action]
    now = now or utcnow()
    with store.engine.begin() as conn:
        row = _locked_item(conn, item_id, scope)
        if row.status != before:
            raise SupervisionError(f"督办事项 {item_id} 当前为“{row.status}”，只有“{before}”的事项才能{verb}")
        conn.execute(update(supervision_items).where(supervision_items.c.id == row.id).values(
            status=after, updated_at=now, closed_at=now if after == CLOSED else None))
        event_id = _event(conn, row.id, action, actor, now, before, after, note)
        for f in files:
            conn.execute(insert(supervision_evidence), {
                "item_id": row.id, "event_id": event_id, "file_name": f.file_name, "size": len(f.data),
                "sha256": f.sha256, "stored_as": store_file(row.id, f), "at": now, "actor": actor})
        detail = {"from": before, "to": after, "unit_id": row.unit_id}
        if files:
            detail["files"] = [f.file_name for f in files]
        _audit(conn, actor, action, f"督办事项 {row.id}", detail)
    return after


def add_feedback(store: StateStore, item_id: int, text: str, files: list[tuple[str, bytes]], actor: str,
                 scope=None, *, now: datetime | None = None) -> str:
    """The unit's answer (督办中 → 已反馈): text required, at most 5 evidence files; returns the new status."""
    note = _text(text, "反馈内容")
    try:
        checked = check_files(files)
    except EvidenceError as e:
        raise SupervisionError(str(e)) from None
    return _transition(store, item_id, "feedback", note, actor, now, scope, checked)


def return_item(store: StateStore, item_id: int, reason: str, actor: str, *, now: datetime | None = None) -> str:
    """专班退回反馈（已反馈 → 督办中），须写明理由。"""
    return _transition(store, item_id, "returned", _text(reason, "退回理由"), actor, now)


def verify(store: StateStore, item_id: int, note: str, actor: str, *, now: datetime | None = None) -> str:
    """专班核查通过（已反馈 → 已核查）。"""
    return _transition(store, item_id, "verified", _text(note, "核查意见", required=False), actor, now)


def close(store: StateStore, item_id: int, note: str, actor: str, *, now: datetime | None = None) -> str:
    """销号（已核查 → 已销号），只能在核查之后。"""
    return _transition(store, item_id, "closed", _text(note, "销号说明", required=False), actor, now)


def edit_item(store: StateStore, item_id: int, *, actor: str, title: str | None = None,
              requirement: str | None = None, owner: str | None = None, deadline: date | None = None,
              deadline_rule: str | None = None, now: datetime | None = None) -> None:
    """Change what was assigned (not after 销号); the event note lists old → new. A new deadline replaces
    deadline_rule with the one given (None: a plain date)."""
    labels = {"title": "标题", "requirement": "要求", "owner": "责任人", "deadline": "期限"}
    new = {}
    if title is not None:
        new["title"] = _text(title, "督办事项标题", limit=200)
    if requirement is not None:
        new["requirement"] = _text(requirement, "督办要求")
    if owner is not None:
        new["owner"] = _text(owner, "责任人", required=False, limit=128)
    if deadline is not None:
        new["deadline"] = _day(deadline)
    now = now or utcnow()
    with store.engine.begin() as conn:
        row = _locked_item(conn, item_id)
        if row.status == CLOSED:
            raise SupervisionError(f"督办事项 {item_id} 已销号，不能再修改")
        changed = {k: v for k, v in new.items() if getattr(row, k) != v}
        if not changed:
            return
        if "deadline" in changed:
            changed["deadline_rule"] = _text(deadline_rule, "期限说明", required=False, limit=64) or None
        conn.execute(update(supervision_items).where(supervision_items.c.id == row.id)
                     .values(updated_at=now, **changed))
        note = "；".join(f"{labels[k]}：{getattr(row, k)} → {v}" for k, v in changed.items() if k in labels)
        _event(conn, row.id, "edited", actor, now, row.status, row.status, note)
        _audit(conn, actor, "edited", f"督办事项 {row.id}", {"fields": [k for k in changed if k in labels]})


def record_notice(store: StateStore, item_ids: Iterable[int], notice_number: str, actor: str, *,
                  now: datetime | None = None) -> None:
    """督办通知单已下发：notice_number on each item, a 'noticed' event each, one audit row."""
    ids = sorted({int(i) for i in item_ids})
    number = _text(notice_number, "督办通知单编号", limit=64)
    if not ids:
        return
    now = now or utcnow()
    with store.engine.begin() as conn:
        units = set()
        for item_id in ids:
            row = _locked_item(conn, item_id)
            units.add(row.unit_id)
            conn.execute(update(supervision_items).where(supervision_items.c.id == row.id)
                         .values(notice_number=number, updated_at=now))
            _event(conn, row.id, "noticed", actor, now, row.status, row.status, number)
        _audit(conn, actor, "noticed", number, {"items": ids, "unit_ids": sorted(units)})
