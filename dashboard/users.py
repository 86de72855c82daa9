"""账号管理命令：python -m dashboard.users add|list|disable|enable|reset|set-role …

作用于 DASHBOARD_STATE_URL 指定的状态库（默认 data/state/state.db）。"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from state.accounts import (
    AccountError,
    add_account,
    list_accounts,
    reset_password,
    set_active,
    set_role,
)
from state.roles import load_roles, role_by_name
from state.security import load_security
from state.store import open_store
from state.units import find_unit, unit_choices


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"命令行:{user}"


def _role_help() -> str:
    return "角色：" + "、".join(f"{r.label}（{r.id}）" for r in load_roles().values())


def _unit(args) -> tuple[str | None, str | None, str]:
    """(unit_id, campaign_id, shown name) from --unit/--campaign; a unit is required for the scoped role."""
    role = role_by_name(args.role)
    if role is None:
        raise AccountError(f"未知角色：{args.role}（{_role_help()}）")
    if not args.unit:
        return None, args.campaign, ""
    try:
        unit = find_unit(args.unit, args.campaign)
    except ValueError as e:
        raise AccountError(str(e)) from e
    return unit.unit_id, unit.campaign_id, unit.name


def _print_password(username: str, password: str) -> None:
    print(f"账号 {username} 的初始密码（只显示这一次，请当面或通过安全渠道交给本人；首次登录须修改）：")
    print(f"    {password}")


def cmd_add(args) -> None:
    unit_id, campaign_id, unit_name = _unit(args)
    store = open_store()
    password = add_account(store, args.name, args.role, unit_id=unit_id, campaign_id=campaign_id,
                           display_name=args.display, sso_subject=args.sso, actor=_actor())
    role = role_by_name(args.role)
    print(f"已新增账号 {args.name}（{role.label}{'，' + unit_name if unit_name else ''}）。")
    if password:
        _print_password(args.name, password)
    else:
        print(f"该账号通过单点登录（{args.sso}）进入，没有本地密码。")


def _unit_names() -> dict[tuple[str, str], str]:
    return {(u.campaign_id, u.unit_id): u.name for u in unit_choices()}


def cmd_list(_args) -> None:
    accounts = list_accounts(open_store())
    if not accounts:
        print("还没有账号。")
        return
    roles, names, tz = load_roles(), _unit_names(), load_security().tz
    print("用户名\t显示名\t角色\t单位\t状态\t登录方式\t最近登录")
    for a in accounts:
        unit = names.get((a.campaign_id, a.unit_id), a.unit_id) if a.unit_id else "全部"
        status = "停用" if not a.active else ("锁定" if a.locked() else "正常")
        way = "、".join(x for x in ("密码" if a.has_password else "", "单点登录" if a.sso_subject else "") if x)
        last = a.last_sign_in_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if a.last_sign_in_at else "从未登录"
        print(f"{a.username}\t{a.display_name}\t{roles[a.role].label}\t{unit}\t{status}\t{way}\t{last}")
    print(f"共 {len(accounts)} 个账号。")


def cmd_disable(args) -> None:
    set_active(open_store(), args.name, False, _actor())
    print(f"已停用账号 {args.name}。")


def cmd_enable(args) -> None:
    set_active(open_store(), args.name, True, _actor())
    print(f"已启用账号 {args.name}。")


def cmd_reset(args) -> None:
    password = reset_password(open_store(), args.name, _actor())
    print(f"已重置账号 {args.name} 的密码并解除锁定。")
    _print_password(args.name, password)


def cmd_set_role(args) -> None:
    unit_id, campaign_id, unit_name = _unit(args)
    store = open_store()
    if unit_id:
        set_role(store, args.name, args.role, unit_id, _actor(), campaign_id=campaign_id)
    else:
        set_role(store, args.name, args.role, None, _actor())
    print(f"已将账号 {args.name} 改为{role_by_name(args.role).label}{'（' + unit_name + '）' if unit_name else ''}。")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard.users", description="看板账号管理（" + _role_help() + "）")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    add = sub.add_parser("add", help="新增账号（未指定 --sso 时生成初始密码并显示一次）")
    change = sub.add_parser("set-role", help="修改角色和所属单位")
    for sp in (add, change):
        sp.add_argument("name", help="用户名")
        sp.add_argument("--role", required=True, help=_role_help())
        sp.add_argument("--unit", help="所属单位编号或名称（单位角色必填）")
        sp.add_argument("--campaign", help="专项整治编号（单位在多个专项整治中重名时指定）")
    add.add_argument("--display", help="显示名（默认同用户名）")
    add.add_argument("--sso", help="单点登录的邮箱或标识（只用单点登录时不生成密码）")
    sub.add_parser("list", help="列出全部账号")
    for name, text in (("disable", "停用账号"), ("enable", "启用账号"), ("reset", "重置密码并解除锁定")):
        sub.add_parser(name, help=text).add_argument("name", help="用户名")
    return p


COMMANDS = {"add": cmd_add, "list": cmd_list, "disable": cmd_disable, "enable": cmd_enable,
            "reset": cmd_reset, "set-role": cmd_set_role}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except AccountError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
