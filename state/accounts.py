"""Local and SSO accounts: add, sign in (lock-out after repeated failures), disable, reset, change role."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from etl.normalize.privacy import scrub_phones
from state import audit
from state.account import Account, AccountError, SignIn, account_from_row
from state.passwords import generate_password, hash_password, needs_rehash, password_problem, verify_password
from state.roles import Role, load_roles, role_by_name
from state.schema import accounts, utcnow
from state.security import load_security
from state.store import StateStore

_USERNAME = re.compile(r"^[\w.@\-]{2,64}$")
WRONG_CREDENTIALS = "用户名或密码错误"
DISABLED = "账号已停用"
FIRST_ADMIN = "admin"


def _row(conn, username: str):
    return conn.execute(select(accounts).where(accounts.c.username == username)).first()


def _require(conn, username: str):
    row = _row(conn, username)
    if row is None:
        raise AccountError(f"账号不存在：{username}")
    return row


def _actor_role(conn, actor: str) -> str | None:
    return conn.execute(select(accounts.c.role).where(accounts.c.username == actor)).scalar()


def _audit(conn, actor: str, action: str, target: str, detail: dict | None = None, ok: bool = True) -> None:
    audit.write(conn, actor, action, role=_actor_role(conn, actor), target=target, detail=detail, ok=ok)


def _norm_subject(subject: str | None) -> str | None:
    """OIDC e-mail addresses compare case-insensitively; a `sub` claim is kept as is."""
    s = (subject or "").strip()
    return (s.lower() if "@" in s else s) or None


def _check_role(role: str, unit_id: str | None) -> Role:
    r = role_by_name(role)
    if r is None:
        raise AccountError(f"未知角色：{role}（可选：{'、'.join(x.label for x in load_roles().values())}）")
    if r.scoped and not unit_id:
        raise AccountError(f"{r.label}角色必须指定所属单位")
    if not r.scoped and unit_id:
        raise AccountError(f"只有单位角色才能指定所属单位（{r.label}角色可看全部单位）")
    return r


def add_account(store: StateStore, username: str, role: str, *, unit_id: str | None = None,
                campaign_id: str | None = None, display_name: str | None = None, password: str | None = None,
                sso_subject: str | None = None, actor: str) -> str | None:
    """Create an account; returns the generated password (shown once) when neither password nor
    sso_subject is given, else None."""
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise AccountError("用户名须为 2–64 个字母、数字、汉字或 . _ - @，不能有空格")
    r = _check_role(role, unit_id)
    subject = _norm_subject(sso_subject)
    generated = None
    if password is None and subject is None:
        password = generated = generate_password()
    if password is not None and (problem := password_problem(password, username)):
        raise AccountError(problem)
    now = utcnow()
    row = {
        "username": username, "display_name": (display_name or "").strip() or username, "role": r.id,
        "unit_id": unit_id if r.scoped else None, "campaign_id": campaign_id,
        "password_hash": hash_password(password) if password is not None else None, "sso_subject": subject,
        "active": True, "must_change_password": generated is not None, "failed_count": 0,
        "created_at": now, "updated_at": now,
    }
    try:
        with store.engine.begin() as conn:
            if _row(conn, username) is not None:
                raise AccountError(f"用户名已存在：{username}")
            if subject and conn.execute(select(accounts.c.id).where(accounts.c.sso_subject == subject)).first():
                raise AccountError(f"该单点登录标识已绑定其他账号：{subject}")
            conn.execute(insert(accounts), row)
            _audit(conn, actor, "user_added", username,
                   {"role": r.id, "unit_id": row["unit_id"], "campaign_id": campaign_id, "sso": subject is not None})
    except IntegrityError as e:  # a concurrent add of the same name
        raise AccountError(f"用户名或单点登录标识已存在：{username}") from e
    return generated


def _lock_message(until: datetime) -> str:
    return f"账号已锁定，请于{until.astimezone(load_security().tz):%H:%M}后再试"


def authenticate(store: StateStore, username: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a local password. Failures are counted per account; max_failures in a row lock it for
    lockout_minutes. Every attempt is audited (never the password)."""
    now = now or utcnow()
    settings = load_security()
    username = (username or "").strip()
    with store.engine.begin() as conn:
        row = _row(conn, username)
        matches = verify_password(row.password_hash if row else None, password or "")
        if row is None:
            audit.write(conn, audit.ANONYMOUS, "sign_in_failed", target=scrub_phones(username)[:64],
                         detail={"reason": "unknown_user"}, ok=False, at=now)
            return SignIn(False, None, WRONG_CREDENTIALS)
        fail = {"actor": username, "action": "sign_in_failed", "role": row.role, "target": username,
                "ok": False, "at": now}
        if row.locked_until is not None and row.locked_until > now:
            audit.write(conn, detail={"reason": "locked"}, **fail)
            return SignIn(False, None, _lock_message(row.locked_until))
        if not matches:
            count = conn.execute(
                update(accounts).where(accounts.c.id == row.id)
                .values(failed_count=accounts.c.failed_count + 1).returning(accounts.c.failed_count)).scalar_one()
            if count < settings.max_failures:
                audit.write(conn, detail={"reason": "wrong_password", "failed_count": count}, **fail)
                return SignIn(False, None, WRONG_CREDENTIALS)
            until = now + timedelta(minutes=settings.lockout_minutes)
            conn.execute(update(accounts).where(accounts.c.id == row.id)
                         .values(failed_count=0, locked_until=until, updated_at=now))
            audit.write(conn, detail={"reason": "locked_now", "failed_count": count}, **fail)
            return SignIn(False, None, _lock_message(until))
        if not row.active:
            audit.write(conn, detail={"reason": "disabled"}, **fail)
            return SignIn(False, None, DISABLED)
        values = {"failed_count": 0, "locked_until": None, "last_sign_in_at": now}
        if needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(**values))
        audit.write(conn, username, "sign_in", role=row.role, target=username, detail={"method": "password"}, at=now)
        return SignIn(True, account_from_row(_row(conn, username)), None)


def account_for_sso(store: StateStore, subject: str) -> Account | None:
    """The account bound to an OIDC e-mail or sub (active or not); None when not bound."""
    key = _norm_subject(subject)
    if key is None:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.sso_subject == key)).first()
    return account_from_row(row) if row else None


def authenticate_sso(store: StateStore, subject: str, now: datetime | None = None) -> SignIn:
    """Sign-in after the identity provider vouched for subject: bound, active account → ok; audited."""
    now = now or utcnow()
    key = _norm_subject(subject) or ""
    with store.engine.begin() as conn:
        row = conn.execute(select(accounts).where(accounts.c.sso_subject == key)).first()
        if row is None or not row.active:
            audit.write(conn, row.username if row else audit.ANONYMOUS, "sign_in_failed", role=row.role if row else None,
                        target=scrub_phones(key)[:64], detail={"method": "sso", "reason": "disabled" if row else "unbound"},
                        ok=False, at=now)
            return SignIn(False, None, DISABLED if row else "该单点登录账号尚未在看板开通，请联系专班")
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(last_sign_in_at=now))
        audit.write(conn, row.username, "sign_in", role=row.role, target=row.username, detail={"method": "sso"}, at=now)
        return SignIn(True, account_from_row(_row(conn, row.username)), None)


def get_account(store: StateStore, username: str) -> Account | None:
    with store.engine.connect() as conn:
        row = _row(conn, (username or "").strip())
    return account_from_row(row) if row else None


def list_accounts(store: StateStore) -> list[Account]:
    """All accounts, by user name."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(accounts).order_by(accounts.c.username)).all()
    return [account_from_row(r) for r in rows]


def count_accounts(store: StateStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(accounts)).scalar_one()


def _check_admin_left(conn, username: str) -> None:
    """Refuse to remove the last active 专班 account (nobody could manage accounts any more)."""
    others = conn.execute(select(func.count()).select_from(accounts).where(
        accounts.c.role == "office", accounts.c.active.is_(True), accounts.c.username != username)).scalar_one()
    if others == 0:
        raise AccountError("这是最后一个可用的专班账号，不能停用或改为其他角色")


def set_active(store: StateStore, username: str, active: bool, actor: str) -> None:
    with store.engine.begin() as conn:
        row = _require(conn, username)
        if not active and row.role == "office" and row.active:
            _check_admin_left(conn, username)
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(active=bool(active), updated_at=utcnow()))
        _audit(conn, actor, "user_enabled" if active else "user_disabled", username)


def reset_password(store: StateStore, username: str, actor: str) -> str:
    """A new generated password (shown once); the user must change it at next sign-in; unlocks."""
    password = generate_password()
    with store.engine.begin() as conn:
        row = _require(conn, username)
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(
            password_hash=hash_password(password), must_change_password=True, failed_count=0, locked_until=None,
            updated_at=utcnow()))
        _audit(conn, actor, "password_reset", username)
    return password


def change_password(store: StateStore, username: str, old: str, new: str) -> None:
    """The user's own change: the old password must match; the new one follows the rule."""
    with store.engine.begin() as conn:
        row = _require(conn, username)
        matches = verify_password(row.password_hash, old or "")
        if not matches:  # audited, committed, then refused
            _audit(conn, username, "password_changed", username, {"reason": "wrong_old"}, ok=False)
        else:
            if (problem := password_problem(new or "", username)) or new == old:
                raise AccountError(problem or "新密码不能与原密码相同")
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                password_hash=hash_password(new), must_change_password=False, updated_at=utcnow()))
            _audit(conn, username, "password_changed", username)
    if not matches:
        raise AccountError("原密码错误")


_KEEP = object()


def set_role(store: StateStore, username: str, role: str, unit_id: str | None, actor: str,
             campaign_id: str | None = _KEEP) -> None:
    """Change role and unit (unit only for the scoped role); campaign_id kept unless given."""
    r = _check_role(role, unit_id)
    with store.engine.begin() as conn:
        row = _require(conn, username)
        if row.role == "office" and r.id != "office" and row.active:
            _check_admin_left(conn, username)
        values = {"role": r.id, "unit_id": unit_id if r.scoped else None, "updated_at": utcnow()}
        if campaign_id is not _KEEP:
            values["campaign_id"] = campaign_id
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(**values))
        _audit(conn, actor, "role_changed", username,
               {"from": row.role, "to": r.id, "unit_id": values["unit_id"], "from_unit_id": row.unit_id})


def ensure_first_admin(store: StateStore) -> tuple[str, str] | None:
    """On an empty store, create the 专班 account `admin` with a generated password (print it once;
    it must be changed at first sign-in). None when any account exists."""
    if count_accounts(store):
        return None
    try:
        password = add_account(store, FIRST_ADMIN, "office", display_name="管理员", actor="系统")
    except AccountError:  # another process created it first
        return None
    return FIRST_ADMIN, password
