"""督办事项的读取：列表、详情（含历史和佐证材料）、佐证文件；带 scope 时只给本单位的。
state.supervision 重新导出这里的全部名称，调用方只用 state.supervision。"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from state.evidence_files import EvidenceError, read_file
from state.schema import supervision_events, supervision_evidence, supervision_items, supervision_links
from state.security import load_security
from state.store import StateStore

if TYPE_CHECKING:
    import pandas

ITEM_COLUMNS = [c.name for c in supervision_items.columns]
LIST_COLUMNS = [*ITEM_COLUMNS, "last_feedback"]
_TIME_COLUMNS = ("created_at", "updated_at", "closed_at")
NOT_YOURS = "无权查看或处理其他单位的督办事项"


class SupervisionError(ValueError):
    """A refused change or look-up (Chinese message)."""


def scope_key(scope) -> tuple[str, str | None] | None:
    """(unit_id, campaign_id or None) of a scope given as a unit id or a UnitScope; None: not scoped."""
    if scope is None:
        return None
    if isinstance(scope, str):
        return scope, None
    return scope.unit_id or "", getattr(scope, "campaign_id", None)


def check_scope(row, scope) -> None:
    key = scope_key(scope)
    if key is not None and (row.unit_id != key[0] or (key[1] and row.campaign_id != key[1])):
        raise SupervisionError(NOT_YOURS)


def list_items(store: StateStore, *, campaign_id: str | None = None, scope=None,
               unit_ids: Iterable[str] | None = None, statuses: Iterable[str] | None = None) -> pandas.DataFrame:
    """Items by deadline, then id; columns LIST_COLUMNS (times in the display time zone, deadline a date;
    deadline_rule, notice_number and last_feedback (the newest feedback text) "" when there is none)."""
    import pandas as pd

    q = select(supervision_items).order_by(supervision_items.c.deadline, supervision_items.c.id)
    key = scope_key(scope)
    if key is not None:
        q = q.where(supervision_items.c.unit_id == key[0])
        if key[1]:
            q = q.where(supervision_items.c.campaign_id == key[1])
    if campaign_id:
        q = q.where(supervision_items.c.campaign_id == campaign_id)
    if unit_ids is not None:
        q = q.where(supervision_items.c.unit_id.in_(list(unit_ids)))
    if statuses is not None:
        q = q.where(supervision_items.c.status.in_(list(statuses)))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        ids = [r.id for r in rows]
        # newest feedback text per item: later rows overwrite earlier ones
        feedback = dict(conn.execute(select(supervision_events.c.item_id, supervision_events.c.note).where(
            supervision_events.c.action == "feedback", supervision_events.c.item_id.in_(ids))
            .order_by(supervision_events.c.id)).all()) if ids else {}
    df = pd.DataFrame([tuple(r) for r in rows], columns=ITEM_COLUMNS)
    df["last_feedback"] = [feedback.get(i) or "" for i in df["id"]]
    zone = load_security().display_timezone
    for col in ("deadline_rule", "notice_number"):  # "" not NaN (pandas 3 reads None as NaN, which is truthy)
        df[col] = df[col].fillna("").astype(object)
    for col in _TIME_COLUMNS:
        df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(zone)
    return df[LIST_COLUMNS]


def get_item(store: StateStore, item_id: int, scope=None) -> dict:
    """The item's columns (times aware UTC) with links, events (oldest first) and evidence (list of dicts)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(supervision_items).where(supervision_items.c.id == int(item_id))).first()
        if row is None:
            raise SupervisionError(f"没有编号为 {item_id} 的督办事项")
        check_scope(row, scope)
        item = dict(row._mapping)
        item["links"] = [dict(r._mapping) for r in conn.execute(
            select(supervision_links.c.kind, supervision_links.c.ref, supervision_links.c.label)
            .where(supervision_links.c.item_id == row.id).order_by(supervision_links.c.kind, supervision_links.c.ref))]
        item["events"] = [dict(r._mapping) for r in conn.execute(
            select(supervision_events).where(supervision_events.c.item_id == row.id)
            .order_by(supervision_events.c.at, supervision_events.c.id))]
        item["evidence"] = [dict(r._mapping) for r in conn.execute(
            select(supervision_evidence).where(supervision_evidence.c.item_id == row.id)
            .order_by(supervision_evidence.c.id))]
    return item


def evidence_bytes(store: StateStore, evidence_id: int, scope=None) -> tuple[str, bytes]:
    """(file name, content) of one evidence file, checked against its SHA-256."""
    with store.engine.connect() as conn:
        ev = conn.execute(select(supervision_evidence).where(supervision_evidence.c.id == int(evidence_id))).first()
        if ev is None:
            raise SupervisionError(f"没有编号为 {evidence_id} 的佐证材料")
        item = conn.execute(select(supervision_items.c.unit_id, supervision_items.c.campaign_id)
                            .where(supervision_items.c.id == ev.item_id)).first()
    check_scope(item, scope)
    try:
        return ev.file_name, read_file(ev.stored_as, ev.sha256)
    except EvidenceError as e:
        raise SupervisionError(str(e)) from None
